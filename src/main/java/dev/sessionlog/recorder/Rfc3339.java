package dev.sessionlog.recorder;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/**
 * RFC 3339 timestamps in and out. Reading has a hand-written fast path for the forms phi-core (chrono)
 * writes, because a DateTimeFormatter parse per event would be a large share of the fold's cost;
 * anything unusual falls back to java.time. Writing is always UTC via {@link Instant#toString()}, so
 * that the same instant is always the same bytes.
 */
final class Rfc3339 {

    private static final DateTimeFormatter FALLBACK = DateTimeFormatter.ISO_OFFSET_DATE_TIME;
    private static final int[] DAYS_IN_MONTH = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

    private Rfc3339() {
    }

    static String format(Instant t) {
        return t == null ? null : t.toString();
    }

    /** The instant of s, or fallback when s is absent or not a timestamp. */
    static Instant parseOr(String s, Instant fallback) {
        if (s == null || s.isEmpty()) {
            return fallback;
        }
        try {
            return parse(s);
        } catch (RuntimeException notATimestamp) {
            return fallback;
        }
    }

    /** @throws DateTimeParseException when s is not an RFC 3339 date-time with an offset */
    static Instant parse(String s) {
        // RFC 3339's years have exactly four digits: java.time would also read "+999999999-12-31T...",
        // an instant that later cannot be written in the same form.
        if (s.length() < 5 || digits(s, 0, 4) < 0 || s.charAt(4) != '-') {
            throw new DateTimeParseException("not an RFC 3339 date-time (a year of four digits)", s, 0);
        }
        Instant fast = parseFast(s);
        return fast != null ? fast : OffsetDateTime.parse(s, FALLBACK).toInstant();
    }

    /** {@code yyyy-MM-ddTHH:mm:ss[.f{1,9}](Z|±HH:mm)}, or null to let java.time decide. */
    private static Instant parseFast(String s) {
        int n = s.length();
        if (n < 20 || s.charAt(4) != '-' || s.charAt(7) != '-' || s.charAt(13) != ':' || s.charAt(16) != ':') {
            return null;
        }
        char sep = s.charAt(10);
        if (sep != 'T' && sep != 't' && sep != ' ') {
            return null;
        }
        int year = digits(s, 0, 4);
        int month = digits(s, 5, 2);
        int day = digits(s, 8, 2);
        int hour = digits(s, 11, 2);
        int minute = digits(s, 14, 2);
        int second = digits(s, 17, 2);
        if (year < 0 || month < 1 || month > 12 || day < 1 || hour < 0 || hour > 23 || minute < 0 || minute > 59
                || second < 0 || second > 59 || day > daysIn(year, month)) {
            return null;
        }
        int i = 19;
        int nanos = 0;
        if (s.charAt(i) == '.') {
            int start = ++i;
            while (i < n && isDigit(s.charAt(i))) {
                if (i - start < 9) {
                    nanos = nanos * 10 + (s.charAt(i) - '0');
                }
                i++;
            }
            int count = i - start;
            if (count == 0) {
                return null;
            }
            for (int k = count; k < 9; k++) {
                nanos *= 10;
            }
        }
        if (i >= n) {
            return null;
        }
        char z = s.charAt(i);
        int offsetSeconds;
        if (z == 'Z' || z == 'z') {
            offsetSeconds = 0;
            i++;
        } else if ((z == '+' || z == '-') && i + 6 == n && s.charAt(i + 3) == ':') {
            int oh = digits(s, i + 1, 2);
            int om = digits(s, i + 4, 2);
            if (oh < 0 || oh > 23 || om < 0 || om > 59) {
                return null;
            }
            offsetSeconds = (z == '-' ? -1 : 1) * (oh * 3600 + om * 60);
            i += 6;
        } else {
            return null;
        }
        if (i != n) {
            return null;
        }
        long days = java.time.LocalDate.of(year, month, day).toEpochDay();
        long epochSecond = days * 86_400L + hour * 3600L + minute * 60L + second - offsetSeconds;
        return Instant.ofEpochSecond(epochSecond, nanos);
    }

    private static int daysIn(int year, int month) {
        if (month == 2 && (year % 4 == 0 && (year % 100 != 0 || year % 400 == 0))) {
            return 29;
        }
        return DAYS_IN_MONTH[month - 1];
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    /** The decimal value of s[from, from+len), or -1 if any of them is not a digit. */
    private static int digits(String s, int from, int len) {
        int v = 0;
        for (int i = from; i < from + len; i++) {
            char c = s.charAt(i);
            if (!isDigit(c)) {
                return -1;
            }
            v = v * 10 + (c - '0');
        }
        return v;
    }
}
