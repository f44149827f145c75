package dev.sessionlog.chain;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.MathContext;
import java.math.RoundingMode;

/**
 * The decimal ECMAScript writes for a double: the fewest significant digits that read back as it,
 * and of those the closest to it; exactly as rounding its exact value and reading each candidate
 * back would find, at a bounded cost. A double's exact value can have some 750 digits, and reading a
 * candidate back (Double.parseDouble) walks as many: done for every number of a megabyte that took
 * seconds. Here the exact value and the two ends of the interval that reads back as the double are
 * computed once, each to {@link #KEPT_DIGITS} digits and a sticky digit (from integers: the value is
 * an integer times a power of two), and candidates are compared with those ends.
 */
final class ShortestDecimal {

    /** Digits kept: candidates have at most 18, so comparisons and roundings to 17 come out as with every digit. */
    static final int KEPT_DIGITS = 24;
    private static final BigInteger[] POW5 = powers(BigInteger.valueOf(5), 1080);
    private static final BigInteger[] POW10 = powers(BigInteger.TEN, 800);
    private static final double LOG10_2 = Math.log10(2);

    private ShortestDecimal() {
    }

    /** @param d a positive finite double */
    static BigDecimal of(double d) {
        long bits = Double.doubleToRawLongBits(d);
        int biased = (int) ((bits >>> 52) & 0x7ff);
        long fraction = bits & ((1L << 52) - 1);
        long m = biased == 0 ? fraction : fraction | (1L << 52);
        int q = biased == 0 ? -1074 : biased - 1075; // d = m x 2^q
        // In units of 2^(q-2): d is 4m, the midpoint to the next double up 4m + 2, the one down 4m - 2,
        // or 4m - 1 at a power of two (the double below is half as far).
        boolean lopsided = fraction == 0 && biased > 1;
        int e = q - 2;
        BigDecimal value = approximate(4 * m, e);
        BigDecimal low = approximate(lopsided ? 4 * m - 1 : 4 * m - 2, e);
        BigDecimal high = approximate(4 * m + 2, e);
        boolean endsReadBack = (m & 1) == 0; // a tie reads back as the even significand
        for (int precision = 1; precision <= 17; precision++) {
            BigDecimal rounded = value.round(new MathContext(precision, RoundingMode.HALF_EVEN));
            if (within(rounded, low, high, endsReadBack)) {
                return rounded;
            }
            // Next to a power of two the interval is lopsided: a neighbour of the rounded digits may read back where they do not.
            BigDecimal unit = BigDecimal.ONE.movePointLeft(rounded.scale());
            for (BigDecimal neighbour : new BigDecimal[] {rounded.add(unit), rounded.subtract(unit)}) {
                if (neighbour.signum() > 0 && within(neighbour, low, high, endsReadBack) && neighbour.precision() <= precision) {
                    return neighbour;
                }
            }
        }
        return value.round(new MathContext(17, RoundingMode.HALF_EVEN));
    }

    private static boolean within(BigDecimal candidate, BigDecimal low, BigDecimal high, boolean endsReadBack) {
        int fromLow = candidate.compareTo(low);
        int toHigh = candidate.compareTo(high);
        return endsReadBack ? fromLow >= 0 && toHigh <= 0 : fromLow > 0 && toHigh < 0;
    }

    /**
     * n x 2^e to {@link #KEPT_DIGITS} digits, a last digit 1 added where anything was cut: a decimal of
     * at most 18 digits compares with it, and any rounding to 17 digits or fewer of it comes out, as
     * with the exact value.
     */
    static BigDecimal approximate(long n, int e) {
        BigInteger digits;
        int scale;
        if (e >= 0) {
            digits = BigInteger.valueOf(n).shiftLeft(e);
            scale = 0;
        } else {
            digits = BigInteger.valueOf(n).multiply(POW5[-e]); // n x 2^e = n x 5^-e / 10^-e
            scale = -e;
        }
        int length = decimalLength(digits);
        if (length <= KEPT_DIGITS) {
            return new BigDecimal(digits, scale);
        }
        BigInteger[] cut = digits.divideAndRemainder(POW10[length - KEPT_DIGITS]);
        BigInteger kept = cut[0].multiply(BigInteger.TEN).add(cut[1].signum() == 0 ? BigInteger.ZERO : BigInteger.ONE);
        return new BigDecimal(kept, scale - (length - KEPT_DIGITS) + 1);
    }

    private static int decimalLength(BigInteger n) {
        int estimate = (int) ((n.bitLength() - 1) * LOG10_2) + 1; // never more than the length, at most one less
        return estimate < POW10.length && n.compareTo(POW10[estimate]) >= 0 ? estimate + 1 : estimate;
    }

    private static BigInteger[] powers(BigInteger base, int count) {
        BigInteger[] p = new BigInteger[count];
        p[0] = BigInteger.ONE;
        for (int i = 1; i < count; i++) {
            p[i] = p[i - 1].multiply(base);
        }
        return p;
    }
}
