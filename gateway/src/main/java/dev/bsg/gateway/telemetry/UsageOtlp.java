package dev.bsg.gateway.telemetry;

import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.metrics.v1.AggregationTemporality;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import io.opentelemetry.proto.metrics.v1.Sum;
import io.opentelemetry.proto.resource.v1.Resource;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The gateway's own usage as OTLP metrics, sent to the telemetry destinations that take metrics: requests, errors,
 * tokens by type and cost (USD) per person, team, project, model, region and door, as delta sums over each interval.
 * Records are added as they are written (off the request path); each flush sends what was added since the last.
 */
public final class UsageOtlp {
    private static final String[] TOKEN_TYPES = {"input", "output", "cache_read", "cache_write_5m", "cache_write_1h"};

    /** What one record adds, and under which attributes. */
    public record Point(
            String userEmail,
            String userId,
            String team,
            String project,
            String model,
            String region,
            String door,
            boolean error,
            long[] tokens,
            long costNanos) {}

    private record Series(
            String userEmail, String userId, String team, String project, String model, String region, String door) {}

    private final OtlpForwarder forwarder;
    private final String instance;
    private final Clock clock;
    private final Map<Series, long[]> sums = new ConcurrentHashMap<>();
    private volatile long intervalStartNanos;

    public UsageOtlp(OtlpForwarder forwarder, String instance, Clock clock) {
        this.forwarder = forwarder;
        this.instance = instance;
        this.clock = clock;
        this.intervalStartNanos = nowNanos();
    }

    public void add(Point point) {
        if (!forwarder.wants(OtlpSignal.METRICS)) return;
        Series series = new Series(
                point.userEmail(),
                point.userId(),
                point.team(),
                point.project(),
                point.model(),
                point.region(),
                point.door());
        sums.compute(series, (s, totals) -> {
            long[] out = totals == null ? new long[3 + TOKEN_TYPES.length] : totals;
            out[0]++;
            if (point.error()) out[1]++;
            out[2] += point.costNanos();
            for (int i = 0; i < TOKEN_TYPES.length; i++) out[3 + i] += point.tokens()[i];
            return out;
        });
    }

    /** Sends what was added since the last flush as one export; nothing when nothing was. */
    public void flush() {
        long start = intervalStartNanos;
        long end = nowNanos();
        intervalStartNanos = end;
        Map<Series, long[]> taken = new HashMap<>();
        for (Series series : List.copyOf(sums.keySet())) {
            long[] totals = sums.remove(series);
            if (totals != null) taken.put(series, totals);
        }
        if (taken.isEmpty()) return;
        List<NumberDataPoint> requests = new ArrayList<>();
        List<NumberDataPoint> errors = new ArrayList<>();
        List<NumberDataPoint> cost = new ArrayList<>();
        List<NumberDataPoint> tokens = new ArrayList<>();
        for (Map.Entry<Series, long[]> each : taken.entrySet()) {
            List<KeyValue> attributes = attributes(each.getKey());
            long[] totals = each.getValue();
            requests.add(point(attributes, start, end).setAsInt(totals[0]).build());
            if (totals[1] > 0)
                errors.add(point(attributes, start, end).setAsInt(totals[1]).build());
            cost.add(point(attributes, start, end).setAsDouble(totals[2] / 1e9).build());
            for (int i = 0; i < TOKEN_TYPES.length; i++) {
                if (totals[3 + i] == 0) continue;
                tokens.add(point(attributes, start, end)
                        .addAttributes(attribute("type", TOKEN_TYPES[i]))
                        .setAsInt(totals[3 + i])
                        .build());
            }
        }
        ScopeMetrics.Builder scope = ScopeMetrics.newBuilder()
                .setScope(InstrumentationScope.newBuilder().setName("dev.bsg.gateway"))
                .addMetrics(sum("bsg.usage.requests", "{request}", "Inference requests metered", requests))
                .addMetrics(sum("bsg.usage.tokens", "{token}", "Tokens metered, by type", tokens))
                .addMetrics(sum("bsg.usage.cost", "USD", "Cost metered at the price list in force", cost));
        if (!errors.isEmpty())
            scope.addMetrics(sum("bsg.usage.errors", "{request}", "Metered requests that ended in an error", errors));
        ExportMetricsServiceRequest export = ExportMetricsServiceRequest.newBuilder()
                .addResourceMetrics(ResourceMetrics.newBuilder()
                        .setResource(Resource.newBuilder()
                                .addAttributes(attribute("service.name", "bsg-gateway"))
                                .addAttributes(attribute("service.instance.id", instance)))
                        .addScopeMetrics(scope))
                .build();
        forwarder.offer(OtlpSignal.METRICS, "application/x-protobuf", export.toByteArray());
    }

    private static Metric sum(String name, String unit, String description, List<NumberDataPoint> points) {
        return Metric.newBuilder()
                .setName(name)
                .setUnit(unit)
                .setDescription(description)
                .setSum(Sum.newBuilder()
                        .setAggregationTemporality(AggregationTemporality.AGGREGATION_TEMPORALITY_DELTA)
                        .setIsMonotonic(true)
                        .addAllDataPoints(points))
                .build();
    }

    private static NumberDataPoint.Builder point(List<KeyValue> attributes, long start, long end) {
        return NumberDataPoint.newBuilder()
                .addAllAttributes(attributes)
                .setStartTimeUnixNano(start)
                .setTimeUnixNano(end);
    }

    private static List<KeyValue> attributes(Series series) {
        List<KeyValue> out = new ArrayList<>();
        String[][] pairs = {
            {"user.email", series.userEmail()},
            {"user.id", series.userId()},
            {"team", series.team()},
            {"project", series.project()},
            {"model", series.model()},
            {"cloud.region", series.region()},
            {"door", series.door()}
        };
        for (String[] pair : pairs) if (pair[1] != null) out.add(attribute(pair[0], pair[1]));
        return out;
    }

    private static KeyValue attribute(String key, String value) {
        return KeyValue.newBuilder()
                .setKey(key)
                .setValue(AnyValue.newBuilder().setStringValue(value))
                .build();
    }

    private long nowNanos() {
        return clock.millis() * 1_000_000;
    }
}
