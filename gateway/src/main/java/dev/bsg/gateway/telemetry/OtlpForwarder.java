package dev.bsg.gateway.telemetry;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Relays stamped OTLP exports to each configured destination that takes their signal. Each destination has its
 * own bounded queue and sender, so one that is slow or down delays nothing else: when its queue is full, or a
 * batch still fails after its retries, the batch is dropped and counted in {@code bsg_telemetry_dropped_total}.
 */
public final class OtlpForwarder implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(OtlpForwarder.class);
    private static final Duration[] BACKOFF = {Duration.ofMillis(250), Duration.ofSeconds(1), Duration.ofSeconds(4)};

    /** Where exports go: an OTLP/HTTP base URL (…/v1/metrics is appended), headers to add, the signals it takes. */
    public record Destination(URI url, Map<String, String> headers, Set<OtlpSignal> signals) {}

    private record Batch(OtlpSignal signal, String contentType, byte[] body) {}

    private final List<Sender> senders = new ArrayList<>();
    private final GatewayMetrics metrics;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final long queueBytes;

    /** Each destination queues up to {@code queueCapacity} exports and {@code queueBytes} bytes, whichever is first. */
    public OtlpForwarder(List<Destination> destinations, int queueCapacity, long queueBytes, GatewayMetrics metrics) {
        this.metrics = metrics;
        this.queueBytes = queueBytes;
        for (Destination destination : destinations) senders.add(new Sender(destination, queueCapacity));
    }

    /** Whether any destination takes {@code signal}. */
    public boolean wants(OtlpSignal signal) {
        for (Sender sender : senders) if (sender.destination.signals().contains(signal)) return true;
        return false;
    }

    /** Queues one export for every destination that takes its signal; never waits. */
    public void offer(OtlpSignal signal, String contentType, byte[] body) {
        for (Sender sender : senders) {
            if (!sender.destination.signals().contains(signal)) continue;
            // Bytes are reserved before the export is queued, so the queue never holds more than its budget.
            if (sender.queuedBytes.addAndGet(body.length) > queueBytes
                    || !sender.queue.offer(new Batch(signal, contentType, body))) {
                sender.queuedBytes.addAndGet(-body.length);
                metrics.telemetryDropped(sender.name, signal.label(), "queue_full");
            }
        }
    }

    @Override
    public void close() throws InterruptedException {
        for (Sender sender : senders) sender.thread.interrupt();
        for (Sender sender : senders) sender.thread.join(TimeUnit.SECONDS.toMillis(5));
    }

    private final class Sender {
        final Destination destination;
        final String name;
        final BlockingQueue<Batch> queue;
        final AtomicLong queuedBytes = new AtomicLong();
        final Thread thread;

        Sender(Destination destination, int capacity) {
            this.destination = destination;
            this.name = destination.url().getHost()
                    + (destination.url().getPort() > 0 ? ":" + destination.url().getPort() : "");
            this.queue = new ArrayBlockingQueue<>(capacity);
            this.thread = Thread.ofVirtual().name("otlp-forward-" + name).start(this::run);
        }

        private void run() {
            while (!Thread.currentThread().isInterrupted()) {
                Batch batch;
                try {
                    batch = queue.take();
                } catch (InterruptedException e) {
                    return;
                }
                queuedBytes.addAndGet(-batch.body().length);
                try {
                    send(batch);
                } catch (InterruptedException e) {
                    metrics.telemetryDropped(name, batch.signal().label(), "shutdown");
                    return;
                } catch (RuntimeException e) { // this sender must outlive any one batch
                    LOG.warn("telemetry to {}: {}", name, e.toString());
                    metrics.telemetryDropped(name, batch.signal().label(), "failed");
                }
            }
        }

        private void send(Batch batch) throws InterruptedException {
            URI target = URI.create(destination.url().toString().replaceAll("/+$", "")
                    + batch.signal().path());
            HttpRequest.Builder request = HttpRequest.newBuilder(target)
                    .timeout(Duration.ofSeconds(30))
                    .header("Content-Type", batch.contentType())
                    .POST(HttpRequest.BodyPublishers.ofByteArray(batch.body()));
            destination.headers().forEach(request::header);
            String last = null;
            for (int attempt = 0; attempt <= BACKOFF.length; attempt++) {
                if (attempt > 0) Thread.sleep(BACKOFF[attempt - 1]);
                try {
                    int status = http.send(request.build(), HttpResponse.BodyHandlers.discarding())
                            .statusCode();
                    if (status / 100 == 2) {
                        metrics.telemetryForwarded(name, batch.signal().label());
                        return;
                    }
                    last = "status " + status;
                    if (status != 429 && status / 100 != 5) break; // the destination refuses it: retrying won't help
                } catch (IOException e) {
                    last = e.toString();
                }
            }
            LOG.warn("telemetry to {} dropped after retries: {}", target, last);
            metrics.telemetryDropped(name, batch.signal().label(), "failed");
        }
    }
}
