package dev.bsg.gateway.telemetry;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.function.Supplier;

/** The gateway's Prometheus metrics: requests, latency and time to first byte, upstream errors. */
public final class GatewayMetrics {
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    // Model names come from clients: only known models get a label of their own, or every made-up name would add a
    // series.
    private volatile Predicate<String> knownModel = name -> true;

    public void knownModels(Predicate<String> known) {
        this.knownModel = known;
    }

    private String model(String name) {
        if (name == null || name.equals("-")) return "-";
        return knownModel.test(name) ? name : "other";
    }

    public GatewayMetrics() {
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        // Open files against their limit (each stream holds one or two), and the collector's pauses.
        new FileDescriptorMetrics().bindTo(registry);
        new JvmGcMetrics().bindTo(registry);
    }

    private record RequestKey(String door, String model, int status) {}

    private record TtfbKey(String door, String model) {}

    // Looked up per request; building a meter ID each time costs more than recording into it.
    private final Map<RequestKey, Timer> requestTimers = new ConcurrentHashMap<>();
    private final Map<TtfbKey, Timer> ttfbTimers = new ConcurrentHashMap<>();

    public void request(String door, String model, int status, long latencyNanos, long ttfbNanos) {
        model = model(model);
        requestTimers
                .computeIfAbsent(
                        new RequestKey(door, model, status),
                        k -> Timer.builder("bsg.requests")
                                .description("Requests by door, model and status")
                                .tags("door", k.door(), "model", k.model(), "status", Integer.toString(k.status()))
                                .publishPercentileHistogram()
                                .minimumExpectedValue(Duration.ofMillis(1))
                                .maximumExpectedValue(Duration.ofMinutes(10))
                                .register(registry))
                .record(latencyNanos, TimeUnit.NANOSECONDS);
        if (ttfbNanos >= 0) {
            ttfbTimers
                    .computeIfAbsent(
                            new TtfbKey(door, model),
                            k -> Timer.builder("bsg.time.to.first.byte")
                                    .description("Time from request arrival to the first response byte")
                                    .tags("door", k.door(), "model", k.model())
                                    .publishPercentileHistogram()
                                    .minimumExpectedValue(Duration.ofMillis(1))
                                    .maximumExpectedValue(Duration.ofMinutes(5))
                                    .register(registry))
                    .record(ttfbNanos, TimeUnit.NANOSECONDS);
        }
    }

    public void upstreamError(String model, String region, String type) {
        count(
                "bsg.upstream.errors",
                "Failed upstream attempts by model, region and error type",
                "model",
                model(model),
                "region",
                region,
                "type",
                type);
    }

    public void telemetryForwarded(String destination, String signal) {
        count(
                "bsg.telemetry.forwarded",
                "OTLP exports relayed to a telemetry destination",
                "destination",
                destination,
                "signal",
                signal);
    }

    /** An OTLP export a destination did not get: its queue was full, or it still failed after the retries. */
    public void telemetryDropped(String destination, String signal, String reason) {
        count(
                "bsg.telemetry.dropped",
                "OTLP exports not relayed, by destination, signal and reason",
                "destination",
                destination,
                "signal",
                signal,
                "reason",
                reason);
    }

    /** A request moved on to the next configured region after the previous one failed or throttled. */
    public void upstreamFailover(String model, String from, String to) {
        count(
                "bsg.upstream.failovers",
                "Requests sent on to another region after the previous one failed",
                "model",
                model(model),
                "from",
                from,
                "to",
                to);
    }

    public void upstreamHttp2Overflow() {
        Counter.builder("bsg.upstream.http2.overflow")
                .description(
                        "Upstream requests refused by an HTTP/2 connection at its stream limit, then sent over another connection")
                .register(registry)
                .increment();
    }

    /** One more on the counter of that name and tags (Micrometer registers it once, then finds it). */
    private void count(String name, String description, String... tags) {
        Counter.builder(name)
                .description(description)
                .tags(tags)
                .register(registry)
                .increment();
    }

    public void gauge(String name, String description, Supplier<Number> value) {
        Gauge.builder(name, value).description(description).register(registry);
    }

    public void gauge(String name, String description, String tag, String tagValue, Supplier<Number> value) {
        Gauge.builder(name, value).description(description).tag(tag, tagValue).register(registry);
    }

    public void backgroundRun(String task, String outcome) {
        count("bsg.background.runs", "Runs of each background task, by outcome", "task", task, "outcome", outcome);
    }

    private final Timer usageWrites = Timer.builder("bsg.usage.write")
            .description("Time to write one batch of usage records with its rollups")
            .publishPercentileHistogram()
            .minimumExpectedValue(Duration.ofMillis(1))
            .maximumExpectedValue(Duration.ofSeconds(30))
            .register(registry);

    public void usageWrite(long nanos) {
        usageWrites.record(nanos, TimeUnit.NANOSECONDS);
    }

    private final Counter usageDeadLetters = Counter.builder("bsg.usage.dead.letters")
            .description("Usage records the database refused one by one, kept in usage_dead_letters: alert on any")
            .register(registry);

    public void usageDeadLetter() {
        usageDeadLetters.increment();
    }

    private final Counter usageExported = Counter.builder("bsg.usage.exported.records")
            .description("Usage records written to the Parquet export")
            .register(registry);

    public void usageExported(long records) {
        usageExported.increment((double) records);
    }

    /** A budget alert fired (once per person, period and threshold, across instances). */
    public void alertFired(String period, int threshold) {
        Counter.builder("bsg.alerts.fired")
                .description("Budget alerts fired, by period and threshold")
                .tag("period", period)
                .tag("threshold", String.valueOf(threshold))
                .register(registry)
                .increment();
    }

    /** One attempt at an alert's delivery: delivered, retried or (out of attempts) failed. */
    public void alertDelivery(String channel, String outcome) {
        Counter.builder("bsg.alert.deliveries")
                .description("Attempts at delivering budget alerts, by channel and outcome")
                .tag("channel", channel)
                .tag("outcome", outcome)
                .register(registry)
                .increment();
    }

    private record SpendKey(String model, String region, String team) {}

    private record SpendMeters(Counter input, Counter output, Counter cacheRead, Counter cacheWrite, Counter cost) {}

    private final Map<SpendKey, SpendMeters> spendMeters = new ConcurrentHashMap<>();

    /** Tokens and cost (USD) by model, region and team. */
    public void usage(
            String model,
            String region,
            String team,
            long input,
            long output,
            long cacheRead,
            long cacheWrite,
            long costNanos) {
        SpendMeters meters = spendMeters.computeIfAbsent(
                new SpendKey(model(model), region == null ? "-" : region, team == null ? "" : team),
                k -> new SpendMeters(
                        tokens(k, "input"),
                        tokens(k, "output"),
                        tokens(k, "cache_read"),
                        tokens(k, "cache_write"),
                        Counter.builder("bsg.cost")
                                .baseUnit("usd")
                                .description("What requests cost at the prices in force, in USD")
                                .tags("model", k.model(), "region", k.region(), "team", k.team())
                                .register(registry)));
        meters.input().increment((double) input);
        meters.output().increment((double) output);
        meters.cacheRead().increment((double) cacheRead);
        meters.cacheWrite().increment((double) cacheWrite);
        meters.cost().increment(costNanos / 1e9);
    }

    private Counter tokens(SpendKey k, String kind) {
        return Counter.builder("bsg.tokens")
                .description("Tokens by model, region, team and kind, as the upstream accounted them")
                .tags("model", k.model(), "region", k.region(), "team", k.team(), "kind", kind)
                .register(registry);
    }

    /** A request refused by a rate limit, concurrency cap or spend limit. */
    public void limitRejection(String limit, String scope) {
        Counter.builder("bsg.limit.rejections")
                .description("Requests refused by a limit, by limit and scope")
                .tags("limit", limit, "scope", scope)
                .register(registry)
                .increment();
    }

    public String scrape() {
        return registry.scrape();
    }
}
