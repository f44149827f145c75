package dev.sessionlog.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** A Markdown table, padded so that it also reads well as plain text. */
final class Table {

    private final List<String> header;
    private final List<Boolean> rightAligned = new ArrayList<>();
    private final List<List<String>> rows = new ArrayList<>();

    /** Columns named with a leading '>' are right-aligned (numbers). */
    Table(String... columns) {
        header = new ArrayList<>();
        for (String c : columns) {
            boolean right = c.startsWith(">");
            rightAligned.add(right);
            header.add(right ? c.substring(1) : c);
        }
    }

    Table row(Object... cells) {
        if (cells.length != header.size()) {
            throw new IllegalArgumentException("row has " + cells.length + " cells, table has " + header.size());
        }
        List<String> row = new ArrayList<>();
        for (Object c : cells) {
            row.add(c == null ? "" : c.toString());
        }
        rows.add(row);
        return this;
    }

    String render() {
        int[] width = new int[header.size()];
        for (int i = 0; i < width.length; i++) {
            width[i] = Math.max(3, header.get(i).length());
            for (List<String> r : rows) {
                width[i] = Math.max(width[i], r.get(i).length());
            }
        }
        StringBuilder b = new StringBuilder();
        line(b, header, width);
        b.append('|');
        for (int i = 0; i < width.length; i++) {
            b.append(' ').append(rightAligned.get(i) ? "-".repeat(width[i] - 1) + ":" : "-".repeat(width[i])).append(" |");
        }
        b.append('\n');
        for (List<String> r : rows) {
            line(b, r, width);
        }
        return b.toString();
    }

    private void line(StringBuilder b, List<String> cells, int[] width) {
        b.append('|');
        for (int i = 0; i < width.length; i++) {
            String c = cells.get(i);
            String pad = " ".repeat(width[i] - c.length());
            b.append(' ').append(rightAligned.get(i) ? pad + c : c + pad).append(" |");
        }
        b.append('\n');
    }

    /** A number with a fixed count of decimals, trailing ".0…" dropped for whole numbers. */
    static String num(double v, int decimals) {
        if (Double.isNaN(v)) {
            return "n/a";
        }
        if (Math.abs(v - Math.rint(v)) < 1e-9) {
            return String.format(Locale.ROOT, "%,d", (long) Math.rint(v));
        }
        return String.format(Locale.ROOT, "%,." + decimals + "f", v);
    }

    /** A rate, rounded to 3 significant digits. */
    static String rate(double v) {
        if (Double.isNaN(v)) {
            return "n/a";
        }
        if (v >= 1000) {
            double scale = Math.pow(10, Math.floor(Math.log10(v)) - 2);
            return String.format(Locale.ROOT, "%,d", (long) (Math.round(v / scale) * scale));
        }
        return String.format(Locale.ROOT, v >= 100 ? "%.0f" : v >= 10 ? "%.1f" : "%.2f", v);
    }
}
