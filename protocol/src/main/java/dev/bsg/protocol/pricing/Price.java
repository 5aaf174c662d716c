package dev.bsg.protocol.pricing;

import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * One model's prices in USD per million tokens, exact decimals. A regional premium (a percentage) is
 * added for in-region and geographic inference; global inference pays list price.
 */
public record Price(String model, String region, BigDecimal input, BigDecimal output, BigDecimal cacheRead,
                    BigDecimal cacheWrite5m, BigDecimal cacheWrite1h, BigDecimal regionalPremiumPercent) {
    private static final BigDecimal NANOS_PER_USD_PER_MTOK = BigDecimal.valueOf(1000); // 1e9 nanodollars / 1e6 tokens
    private static final BigDecimal HUNDRED = BigDecimal.valueOf(100);

    /**
     * What the tokens cost, in nanodollars (10^-9 USD), rounded once, half-even, at the end. Integers
     * keep it exact in every database; a cent is 10^7.
     */
    public long costNanos(Tokens tokens, boolean regional) {
        BigDecimal sum = input.multiply(BigDecimal.valueOf(tokens.input()))
                .add(output.multiply(BigDecimal.valueOf(tokens.output())))
                .add(cacheRead.multiply(BigDecimal.valueOf(tokens.cacheRead())))
                .add(cacheWrite5m.multiply(BigDecimal.valueOf(tokens.cacheWrite5m())))
                .add(cacheWrite1h.multiply(BigDecimal.valueOf(tokens.cacheWrite1h())));
        if (regional && regionalPremiumPercent.signum() != 0) {
            sum = sum.multiply(HUNDRED.add(regionalPremiumPercent)).divide(HUNDRED);
        }
        return sum.multiply(NANOS_PER_USD_PER_MTOK).setScale(0, RoundingMode.HALF_EVEN).longValueExact();
    }

    /** Nanodollars as a plain USD decimal, such as {@code 0.000123450}. */
    public static String usd(long nanos) {
        return BigDecimal.valueOf(nanos, 9).toPlainString();
    }

    /** Token counts of one request, by kind. */
    public record Tokens(long input, long output, long cacheRead, long cacheWrite5m, long cacheWrite1h) {}
}
