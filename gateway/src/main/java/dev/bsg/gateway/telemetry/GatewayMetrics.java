package dev.bsg.gateway.telemetry;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/** The gateway's Prometheus metrics: requests, latency and time to first byte, upstream errors. */
public final class GatewayMetrics {
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

    public GatewayMetrics() {
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
    }

    private record RequestKey(String door, String model, int status) {}

    private record TtfbKey(String door, String model) {}

    // Looked up per request; building a meter ID each time costs more than recording into it.
    private final Map<RequestKey, Timer> requestTimers = new ConcurrentHashMap<>();
    private final Map<TtfbKey, Timer> ttfbTimers = new ConcurrentHashMap<>();

    public void request(String door, String model, int status, long latencyNanos, long ttfbNanos) {
        requestTimers.computeIfAbsent(new RequestKey(door, model, status), k -> Timer.builder("bsg.requests")
                        .description("Requests by door, model and status")
                        .tags("door", k.door(), "model", k.model(), "status", Integer.toString(k.status()))
                        .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofMinutes(10))
                        .register(registry))
                .record(latencyNanos, TimeUnit.NANOSECONDS);
        if (ttfbNanos >= 0) {
            ttfbTimers.computeIfAbsent(new TtfbKey(door, model), k -> Timer.builder("bsg.time.to.first.byte")
                            .description("Time from request arrival to the first response byte")
                            .tags("door", k.door(), "model", k.model())
                            .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofMinutes(5))
                            .register(registry))
                    .record(ttfbNanos, TimeUnit.NANOSECONDS);
        }
    }

    public void upstreamError(String model, String region, String type) {
        Counter.builder("bsg.upstream.errors").description("Failed upstream attempts by model, region and error type")
                .tags("model", model == null ? "-" : model, "region", region, "type", type)
                .register(registry).increment();
    }

    public String scrape() {
        return registry.scrape();
    }
}
