package dev.bsg.protocol.pricing;

import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * One model's prices in USD per million tokens, exact decimals. A regional premium (a percentage) is
 * added for in-region and geographic inference; global inference pays list price.
 */
public record Price(
        String model,
        String region,
        BigDecimal input,
        BigDecimal output,
        BigDecimal cacheRead,
        BigDecimal cacheWrite5m,
        BigDecimal cacheWrite1h,
        BigDecimal regionalPremiumPercent) {
    private static final BigDecimal NANOS_PER_USD_PER_MTOK = BigDecimal.valueOf(1000); // 1e9 nanodollars / 1e6 tokens
    private static final BigDecimal HUNDRED = BigDecimal.valueOf(100);
    private static final BigDecimal MAX_NANOS = BigDecimal.valueOf(Long.MAX_VALUE);
    /** The cost of a request too large to count in nanodollars. */
    public static final long SATURATED = Long.MAX_VALUE;
    /** The highest price a list may set, USD per million tokens (list prices are two orders of magnitude below). */
    public static final BigDecimal MAX_PER_MTOK = BigDecimal.valueOf(10_000);
    /** Prices are exact to a nanodollar per million tokens at most. */
    public static final int MAX_SCALE = 9;

    /**
     * What the tokens cost, in nanodollars (10^-9 USD), rounded once, half-even, at the end. Integers
     * keep it exact in every database; a cent is 10^7.
     */
    public long costNanos(Tokens tokens, boolean regional) {
        BigDecimal sum = BigDecimal.ZERO;
        sum = plus(sum, input, tokens.input());
        sum = plus(sum, output, tokens.output());
        sum = plus(sum, cacheRead, tokens.cacheRead());
        sum = plus(sum, cacheWrite5m, tokens.cacheWrite5m());
        sum = plus(sum, cacheWrite1h, tokens.cacheWrite1h());
        if (regional && regionalPremiumPercent.signum() != 0) {
            sum = sum.multiply(HUNDRED.add(regionalPremiumPercent)).divide(HUNDRED);
        }
        BigDecimal nanos = sum.multiply(NANOS_PER_USD_PER_MTOK).setScale(0, RoundingMode.HALF_EVEN);
        // Saturates rather than fail: a record is never lost to its cost (SATURATED flags it, see Pricing).
        return nanos.compareTo(MAX_NANOS) >= 0 ? SATURATED : nanos.longValueExact();
    }

    private static BigDecimal plus(BigDecimal sum, BigDecimal price, long tokens) {
        return tokens == 0 ? sum : sum.add(price.multiply(BigDecimal.valueOf(tokens)));
    }

    /** A price with its premium settled for one way of calling the model. */
    public record Rated(Price price, boolean regional) {
        public long costNanos(Tokens tokens) {
            return price.costNanos(tokens, regional);
        }
    }

    /** Nanodollars as a plain USD decimal, such as {@code 0.000123450}. */
    public static String usd(long nanos) {
        return BigDecimal.valueOf(nanos, 9).toPlainString();
    }

    /** Token counts of one request, by kind. */
    public record Tokens(long input, long output, long cacheRead, long cacheWrite5m, long cacheWrite1h) {}
}
