package dev.bsg.protocol.pricing;

import dev.bsg.protocol.models.ModelCatalog;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A price catalog read from CSV (the shipped one, or one an admin imports). Its {@code version} is a
 * digest of the content, so a usage record names exactly the prices it was charged at.
 */
public final class PriceList {
    public static final String HEADER =
            "model,region,input,output,cache_read,cache_write_5m,cache_write_1h,regional_premium_percent";
    private static final BigDecimal CACHE_READ = new BigDecimal("0.1");
    private static final BigDecimal CACHE_WRITE_5M = new BigDecimal("1.25");
    private static final BigDecimal CACHE_WRITE_1H = new BigDecimal("2");
    private static final BigDecimal MAX_PREMIUM_PERCENT = BigDecimal.valueOf(1000);

    private final String csv;
    private final String version;
    private final Map<String, Price> byModelAndRegion = new LinkedHashMap<>();

    private PriceList(String csv) {
        this.csv = csv;
        this.version = digest(csv);
    }

    public static PriceList shipped() {
        try (InputStream in = PriceList.class.getResourceAsStream("prices.csv")) {
            return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Parses a price CSV; a bad line throws {@link IllegalArgumentException} naming the line and the fix. */
    public static PriceList parse(String csv) {
        PriceList list = new PriceList(csv);
        int lineNumber = 0;
        boolean headerSeen = false;
        for (String raw : csv.split("\r?\n")) {
            lineNumber++;
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#")) continue;
            if (!headerSeen) {
                if (!line.replace(" ", "").equalsIgnoreCase(HEADER)) {
                    throw new IllegalArgumentException(
                            "line " + lineNumber + ": the first row must be the header " + HEADER);
                }
                headerSeen = true;
                continue;
            }
            Price price = row(line, lineNumber);
            if (list.byModelAndRegion.put(price.model() + "|" + price.region(), price) != null) {
                throw new IllegalArgumentException("line " + lineNumber + ": " + price.model() + " in " + price.region()
                        + " is priced twice; keep one row");
            }
        }
        if (!headerSeen)
            throw new IllegalArgumentException(
                    "the CSV is empty: it needs the header " + HEADER + " and one row per model");
        if (!list.byModelAndRegion.containsKey("*|*")) {
            throw new IllegalArgumentException(
                    "there is no row for model * and region *: add one so models without a row of their own are still priced");
        }
        return list;
    }

    private static Price row(String line, int lineNumber) {
        List<String> cells = new ArrayList<>(List.of(line.split(",", -1)));
        if (cells.size() != 8)
            throw new IllegalArgumentException(
                    "line " + lineNumber + ": expected 8 columns (" + HEADER + "), found " + cells.size());
        String model = cells.get(0).strip();
        String region = cells.get(1).strip().isEmpty() ? "*" : cells.get(1).strip();
        if (model.isEmpty())
            throw new IllegalArgumentException(
                    "line " + lineNumber + ": the model column is empty; use a model id or *");
        BigDecimal input = amount(cells.get(2), "input", lineNumber, null);
        BigDecimal output = amount(cells.get(3), "output", lineNumber, null);
        return new Price(
                model,
                region,
                input,
                output,
                amount(cells.get(4), "cache_read", lineNumber, input.multiply(CACHE_READ)),
                amount(cells.get(5), "cache_write_5m", lineNumber, input.multiply(CACHE_WRITE_5M)),
                amount(cells.get(6), "cache_write_1h", lineNumber, input.multiply(CACHE_WRITE_1H)),
                amount(cells.get(7), "regional_premium_percent", lineNumber, BigDecimal.ZERO));
    }

    private static BigDecimal amount(String cell, String column, int lineNumber, BigDecimal fallback) {
        String text = cell.strip();
        if (text.isEmpty()) {
            if (fallback != null) return fallback;
            throw new IllegalArgumentException(
                    "line " + lineNumber + ": " + column + " is required (USD per million tokens, such as 3 or 0.25)");
        }
        String shown = text.length() > 40 ? text.substring(0, 40) + "…" : text;
        BigDecimal value;
        try {
            value = new BigDecimal(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("line " + lineNumber + ": " + column + " '" + shown
                    + "' is not a non-negative decimal such as 3 or 0.25");
        }
        // Range before anything else: a value such as 1e999999999 is cheap to hold but enormous to print or multiply.
        BigDecimal max = column.equals("regional_premium_percent") ? MAX_PREMIUM_PERCENT : Price.MAX_PER_MTOK;
        if (value.signum() < 0 || value.compareTo(max) > 0) {
            throw new IllegalArgumentException("line " + lineNumber + ": " + column + " '" + shown
                    + "' is out of range: use a non-negative amount up to " + max.toPlainString()
                    + (column.equals("regional_premium_percent") ? " percent" : " USD per million tokens"));
        }
        if (value.scale() > Price.MAX_SCALE && value.stripTrailingZeros().scale() > Price.MAX_SCALE) {
            throw new IllegalArgumentException("line " + lineNumber + ": " + column + " '" + shown + "' has more than "
                    + Price.MAX_SCALE + " decimal places");
        }
        return value.scale() < 0 ? value.setScale(0) : value;
    }

    /**
     * The price for a resolved Bedrock model id (base id, profile id or ARN) called in a region; the
     * model's Anthropic id is tried after the Bedrock base id.
     */
    public Price lookup(String bedrockId, String anthropicId, String region) {
        String base = bedrockId == null ? null : ModelCatalog.baseIdOf(bedrockId);
        String name = anthropicId != null ? anthropicId : base == null ? null : ModelCatalog.nameOfBaseId(base);
        for (String model : new String[] {base, name, "*"}) {
            if (model == null) continue;
            Price price = byModelAndRegion.get(model + "|" + region);
            if (price == null) price = byModelAndRegion.get(model + "|*");
            if (price != null) return price;
        }
        throw new IllegalStateException("unreachable: the * row is required");
    }

    /** What a request cost in nanodollars: the model's price in that region, with the regional premium unless it went global. */
    public long costNanos(String bedrockId, String anthropicId, String region, Price.Tokens tokens) {
        return rated(bedrockId, anthropicId, region).costNanos(tokens);
    }

    /** The price a model called in a region pays, premium settled. */
    public Price.Rated rated(String bedrockId, String anthropicId, String region) {
        return new Price.Rated(
                lookup(bedrockId, anthropicId, region), bedrockId == null || !ModelCatalog.isGlobal(bedrockId));
    }

    public String version() {
        return version;
    }

    public String csv() {
        return csv;
    }

    public List<Price> prices() {
        return List.copyOf(byModelAndRegion.values());
    }

    private static String digest(String text) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return "prices-" + HexFormat.of().formatHex(hash, 0, 6);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
