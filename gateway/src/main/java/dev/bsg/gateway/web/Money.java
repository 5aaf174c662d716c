package dev.bsg.gateway.web;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;

/** Dollars as the console shows them: to the cent, or finer below a cent so small spend isn't shown as nothing. */
final class Money {
    private static final long NANOS_PER_CENT = 10_000_000L;

    private Money() {}

    static String usd(long nanos) {
        BigDecimal dollars = BigDecimal.valueOf(nanos, 9);
        if (nanos != 0 && Math.abs(nanos) < NANOS_PER_CENT)
            return "$" + dollars.round(new MathContext(2)).stripTrailingZeros().toPlainString();
        return "$" + dollars.setScale(2, RoundingMode.HALF_UP).toPlainString();
    }

    static String usd(String dollars) {
        return usd(new BigDecimal(dollars).movePointRight(9).longValue());
    }

    static String cents(long cents) {
        return "$" + BigDecimal.valueOf(cents, 2).toPlainString();
    }
}
