package dev.bsg.gateway.telemetry;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.bsg.gateway.core.Principal;
import dev.bsg.gateway.store.ProductivityStore;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.metrics.v1.AggregationTemporality;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Claude Code's metrics, summed per person and day (sessions, active time, lines, commits, pull requests, edit
 * decisions, its own cost estimate) so the console and {@code bsg admin productivity} show what people did next to
 * what they spent, with no collector. Exports are read as they are relayed and the sums written every few seconds
 * in the background; a write that fails is kept and tried again. Delta points add up as they come; a cumulative
 * series (per session, attributes and start time) adds what it grew since its last point on this instance.
 */
public final class ProductivityDigest {
    private static final int SESSIONS = 0;
    private static final int ACTIVE_MS = 1;
    private static final int LINES_ADDED = 2;
    private static final int LINES_REMOVED = 3;
    private static final int COMMITS = 4;
    private static final int PULL_REQUESTS = 5;
    private static final int EDITS_ACCEPTED = 6;
    private static final int EDITS_REJECTED = 7;
    private static final int COST_MICROS = 8;

    private final ProductivityStore store;
    private final Map<ProductivityStore.Key, double[]> pending = new ConcurrentHashMap<>();
    private final Cache<String, Double> lastCumulative = Caffeine.newBuilder()
            .maximumSize(200_000)
            .expireAfterAccess(Duration.ofDays(1))
            .build();

    public ProductivityDigest(ProductivityStore store) {
        this.store = store;
    }

    /** A metrics export from {@code principal}, already parsed by the relay. */
    public void metrics(Principal principal, ExportMetricsServiceRequest request) {
        if (principal.userId() == null) return; // a static admin key is nobody's productivity
        try {
            protobuf(principal, request);
        } catch (RuntimeException e) {
            // The export was relayed; what can't be read as Claude Code's metrics adds nothing to the summary.
        }
    }

    /** The same in OTLP/JSON, as the relay's stamped tree. */
    public void metrics(Principal principal, JsonNode request) {
        if (principal.userId() == null) return;
        try {
            json(principal, request);
        } catch (RuntimeException e) {
            // as above
        }
    }

    private void protobuf(Principal principal, ExportMetricsServiceRequest request) {
        for (ResourceMetrics resource : request.getResourceMetricsList()) {
            for (ScopeMetrics scope : resource.getScopeMetricsList()) {
                for (Metric metric : scope.getMetricsList()) {
                    if (!metric.hasSum() || measure(metric.getName(), Map.of()) == Measure.NONE) continue;
                    boolean cumulative = metric.getSum().getAggregationTemporality()
                            == AggregationTemporality.AGGREGATION_TEMPORALITY_CUMULATIVE;
                    for (NumberDataPoint point : metric.getSum().getDataPointsList()) {
                        Map<String, String> attributes = new TreeMap<>();
                        for (KeyValue attribute : point.getAttributesList())
                            attributes.put(
                                    attribute.getKey(), attribute.getValue().getStringValue());
                        double value = point.getValueCase() == NumberDataPoint.ValueCase.AS_INT
                                ? point.getAsInt()
                                : point.getAsDouble();
                        add(
                                principal,
                                metric.getName(),
                                attributes,
                                value,
                                cumulative,
                                point.getStartTimeUnixNano(),
                                point.getTimeUnixNano());
                    }
                }
            }
        }
    }

    private void json(Principal principal, JsonNode request) {
        for (JsonNode resource : request.path("resourceMetrics")) {
            for (JsonNode scope : resource.path("scopeMetrics")) {
                for (JsonNode metric : scope.path("metrics")) {
                    String name = metric.path("name").asText();
                    JsonNode sum = metric.path("sum");
                    if (!sum.isObject() || measure(name, Map.of()) == Measure.NONE) continue;
                    JsonNode temporality = sum.path("aggregationTemporality");
                    boolean cumulative = temporality.asInt() == 2
                            || temporality.asText().equals("AGGREGATION_TEMPORALITY_CUMULATIVE");
                    for (JsonNode point : sum.path("dataPoints")) {
                        Map<String, String> attributes = new TreeMap<>();
                        for (JsonNode attribute : point.path("attributes"))
                            attributes.put(
                                    attribute.path("key").asText(),
                                    attribute.path("value").path("stringValue").asText());
                        // OTLP/JSON writes 64-bit integers as strings
                        double value = number(point.has("asInt") ? point.get("asInt") : point.path("asDouble"));
                        add(
                                principal,
                                name,
                                attributes,
                                value,
                                cumulative,
                                point.path("startTimeUnixNano").asLong(),
                                point.path("timeUnixNano").asLong());
                    }
                }
            }
        }
    }

    /** A number as OTLP/JSON writes it (int64 as a string); NaN when it is not one, which adds nothing. */
    private static double number(JsonNode node) {
        if (node.isNumber()) return node.asDouble();
        try {
            return Double.parseDouble(node.asText());
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }

    private enum Measure {
        NONE(-1, 0),
        SESSIONS(ProductivityDigest.SESSIONS, 1),
        ACTIVE(ACTIVE_MS, 1000),
        ADDED(LINES_ADDED, 1),
        REMOVED(LINES_REMOVED, 1),
        COMMITS(ProductivityDigest.COMMITS, 1),
        PULL_REQUESTS(ProductivityDigest.PULL_REQUESTS, 1),
        ACCEPTED(EDITS_ACCEPTED, 1),
        REJECTED(EDITS_REJECTED, 1),
        COST(COST_MICROS, 1_000_000);

        final int index;
        final double scale;

        Measure(int index, double scale) {
            this.index = index;
            this.scale = scale;
        }
    }

    /** Which sum a point adds to; with no attributes given, whether the metric counts at all. */
    private static Measure measure(String metric, Map<String, String> attributes) {
        boolean any = attributes.isEmpty();
        return switch (metric) {
            case "claude_code.session.count" -> Measure.SESSIONS;
            case "claude_code.active_time.total" -> Measure.ACTIVE;
            case "claude_code.commit.count" -> Measure.COMMITS;
            case "claude_code.pull_request.count" -> Measure.PULL_REQUESTS;
            case "claude_code.cost.usage" -> Measure.COST;
            case "claude_code.lines_of_code.count" ->
                switch (attributes.getOrDefault("type", "")) {
                    case "added" -> Measure.ADDED;
                    case "removed" -> Measure.REMOVED;
                    default -> any ? Measure.ADDED : Measure.NONE;
                };
            case "claude_code.code_edit_tool.decision" ->
                switch (attributes.getOrDefault("decision", "")) {
                    case "accept" -> Measure.ACCEPTED;
                    case "reject" -> Measure.REJECTED;
                    default -> any ? Measure.ACCEPTED : Measure.NONE;
                };
            default -> Measure.NONE;
        };
    }

    private void add(
            Principal principal,
            String metric,
            Map<String, String> attributes,
            double value,
            boolean cumulative,
            long startNanos,
            long timeNanos) {
        Measure measure = measure(metric, attributes);
        if (measure == Measure.NONE || !Double.isFinite(value) || value < 0) return;
        double amount = value;
        if (cumulative) {
            String series = principal.userId() + '\0' + metric + '\0' + attributes + '\0' + startNanos;
            Double last = lastCumulative.getIfPresent(series);
            lastCumulative.put(series, value);
            amount = last == null || value < last ? value : value - last;
        }
        if (amount == 0) return;
        Instant at = timeNanos > 0 ? Instant.ofEpochSecond(0, timeNanos) : Instant.now();
        ProductivityStore.Key key = new ProductivityStore.Key(
                at.atOffset(ZoneOffset.UTC).toLocalDate().toString(), principal.userId(), principal.email());
        double scaled = amount * measure.scale;
        pending.compute(key, (k, sums) -> {
            double[] out = sums == null ? new double[ProductivityStore.MEASURES.size()] : sums;
            out[measure.index] += scaled;
            return out;
        });
    }

    /** Writes what was summed since the last flush; kept for the next one if the database refuses. */
    public void flush() {
        Map<ProductivityStore.Key, long[]> batch = new HashMap<>();
        Map<ProductivityStore.Key, double[]> taken = new HashMap<>();
        for (ProductivityStore.Key key : List.copyOf(pending.keySet())) {
            double[] sums = pending.remove(key);
            if (sums == null) continue;
            taken.put(key, sums);
            long[] whole = new long[sums.length];
            for (int i = 0; i < sums.length; i++) whole[i] = Math.round(sums[i]);
            batch.put(key, whole);
        }
        try {
            store.add(batch);
        } catch (RuntimeException e) {
            taken.forEach((key, sums) -> pending.merge(key, sums, (a, b) -> {
                for (int i = 0; i < a.length; i++) a[i] += b[i];
                return a;
            }));
            throw e;
        }
    }
}
