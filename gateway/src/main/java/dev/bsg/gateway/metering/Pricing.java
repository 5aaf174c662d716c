package dev.bsg.gateway.metering;

import dev.bsg.gateway.core.Usage;
import dev.bsg.gateway.http.Exchange;
import dev.bsg.gateway.store.Sql;
import dev.bsg.protocol.models.ModelCatalog;
import dev.bsg.protocol.pricing.Price;
import dev.bsg.protocol.pricing.PriceList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The price list in force and what each request cost under it. Every list ever in force is kept in
 * the database, and a record names the version it was charged at, so later imports never reprice the past.
 */
public final class Pricing {
    private static final Logger LOG = LoggerFactory.getLogger(Pricing.class);
    private static final String SHIPPED = "shipped";
    private final Sql sql;
    private final ModelCatalog catalog;
    private volatile PriceList current;
    // Prices looked up once per model and region for the list in force; replaced with the list.
    private volatile ConcurrentHashMap<String, Price.Rated> rated = new ConcurrentHashMap<>();

    /** @param configured a list from {@code pricing.csv_file}, or null for the shipped one */
    public Pricing(Sql sql, ModelCatalog catalog, PriceList configured) {
        this.sql = sql;
        this.catalog = catalog;
        PriceList start = configured != null ? configured : PriceList.shipped();
        Optional<Newest> newest = newest();
        // A configured or newly shipped list takes over from an older list of the same origin; an admin's import stays.
        String origin = configured != null ? "config" : SHIPPED;
        if (newest.isEmpty()
                || (!newest.get().version().equals(start.version())
                        && newest.get().importedBy().equals(origin))
                || (configured != null && !stored(start.version()))) {
            store(start, origin);
        }
        refresh();
    }

    /** Prices the exchange's usage (once) and returns its cost in nanodollars. */
    public long price(Exchange exchange) {
        Usage usage = exchange.usage();
        if (usage.costNanos() >= 0) return usage.costNanos();
        PriceList list = current;
        ConcurrentHashMap<String, Price.Rated> prices = rated;
        String model = usage.upstreamModel();
        String region = usage.region() == null ? "*" : usage.region();
        long nanos = 0;
        if (usage.totalTokens() > 0) {
            Price.Rated price = prices.computeIfAbsent(
                    model + "|" + region,
                    k -> list.rated(model, model == null ? null : catalog.anthropicIdOf(model), region));
            nanos = price.costNanos(new Price.Tokens(
                    usage.input(), usage.output(), usage.cacheRead(), usage.cacheWrite5m(), usage.cacheWrite1h()));
        }
        if (nanos == Price.SATURATED)
            LOG.warn(
                    "request {} cost more than a long holds in nanodollars ({} tokens); recorded at the maximum",
                    exchange.requestId(),
                    usage.totalTokens());
        usage.priced(nanos, list.version());
        return nanos;
    }

    public PriceList current() {
        return current;
    }

    /** A price list as it was imported: which version, when (epoch ms) and by whom ("shipped", "config" or a person). */
    public record Imported(String version, long at, String by) {}

    /** Every list ever put in force, newest first: the first is the one charged now. */
    public List<Imported> history() {
        return sql.list(
                "SELECT version, imported_at, imported_by FROM price_lists ORDER BY imported_at DESC",
                row -> new Imported(row.getString(1), row.getLong(2), row.getString(3)));
    }

    /** Makes a list the one in force, on this instance now and on others at their next refresh. */
    public PriceList importList(PriceList list, String by) {
        store(list, by);
        refresh();
        return current;
    }

    /** Picks up a list another instance imported. */
    public void refresh() {
        newest().ifPresent(newest -> {
            if (current == null || !current.version().equals(newest.version())) {
                String csv = sql.one(
                                "SELECT csv FROM price_lists WHERE version = ?",
                                row -> row.getString(1),
                                newest.version())
                        .orElseThrow();
                try {
                    current = PriceList.parse(csv);
                } catch (IllegalArgumentException e) {
                    // A list stored before prices were range-checked: keep charging at the one in force.
                    LOG.error(
                            "price list {} in the database is invalid ({}); keeping {}",
                            newest.version(),
                            e.getMessage(),
                            current == null ? "the shipped list" : current.version());
                    if (current == null) current = PriceList.shipped();
                    return;
                }
                rated = new ConcurrentHashMap<>();
                LOG.info("prices in force: {} (from {})", current.version(), newest.importedBy());
            }
        });
    }

    private void store(PriceList list, String by) {
        long now = System.currentTimeMillis();
        if (stored(list.version())) {
            sql.update(
                    "UPDATE price_lists SET imported_at = ?, imported_by = ? WHERE version = ?",
                    now,
                    by,
                    list.version());
        } else {
            sql.update(
                    "INSERT INTO price_lists (version, csv, imported_at, imported_by) VALUES (?, ?, ?, ?)",
                    list.version(),
                    list.csv(),
                    now,
                    by);
        }
    }

    private boolean stored(String version) {
        return sql.one("SELECT 1 FROM price_lists WHERE version = ?", row -> true, version)
                .isPresent();
    }

    private Optional<Newest> newest() {
        return sql.one(
                "SELECT version, imported_by FROM price_lists ORDER BY imported_at DESC LIMIT 1",
                row -> new Newest(row.getString(1), row.getString(2)));
    }

    private record Newest(String version, String importedBy) {}
}
