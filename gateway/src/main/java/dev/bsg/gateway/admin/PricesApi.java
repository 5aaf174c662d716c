package dev.bsg.gateway.admin;

import dev.bsg.gateway.http.Exchange;
import dev.bsg.gateway.http.HttpError;
import dev.bsg.gateway.metering.Pricing;
import dev.bsg.gateway.store.AuditLog;
import dev.bsg.gateway.store.SharedState;
import dev.bsg.protocol.errors.ApiError;
import dev.bsg.protocol.pricing.PriceList;
import java.nio.charset.StandardCharsets;

/** {@code /api/admin/prices}: the price list in force (JSON, or the CSV itself) and importing a new one. */
public final class PricesApi {
    private final Pricing pricing;
    private final AuditLog audit;
    private final SharedState shared;

    public PricesApi(Pricing pricing, AuditLog audit, SharedState shared) {
        this.pricing = pricing;
        this.audit = audit;
        this.shared = shared;
        shared.onEvent(event -> {
            if (event.equals("prices")) pricing.refresh();
        });
    }

    public void show(Exchange exchange) {
        PriceList list = pricing.current();
        if ("csv".equals(exchange.query("format"))) {
            exchange.send(200, "text/csv; charset=utf-8", list.csv().getBytes(StandardCharsets.UTF_8));
            return;
        }
        exchange.sendJson(
                200,
                Bodies.json(new Bodies.Prices(
                        list.version(),
                        "USD per million tokens",
                        list.prices().stream().map(Bodies.PriceRow::of).toList())));
    }

    /** The body is the CSV; a bad one is refused whole, naming the line, and nothing changes. */
    public void replace(Exchange exchange) {
        PriceList list;
        try {
            list = PriceList.parse(new String(exchange.body(), StandardCharsets.UTF_8));
        } catch (IllegalArgumentException e) {
            throw new HttpError(ApiError.invalidRequest("price CSV: " + e.getMessage()));
        }
        String previous = pricing.current().version();
        PriceList now = pricing.importList(list, exchange.principal().email());
        audit.record(
                exchange.principal().email(),
                "prices.import",
                now.version(),
                "ok",
                exchange.clientIp(),
                "replaces " + previous);
        shared.broadcast("prices");
        exchange.sendJson(
                200,
                Bodies.json(new Bodies.PricesImported(
                        now.version(), previous, now.prices().size())));
    }
}
