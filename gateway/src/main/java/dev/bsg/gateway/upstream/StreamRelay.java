package dev.bsg.gateway.upstream;

import dev.bsg.gateway.http.Exchange;
import dev.bsg.gateway.http.StreamSink;
import dev.bsg.protocol.errors.ApiError;
import dev.bsg.protocol.eventstream.EventStreamDecoder;
import dev.bsg.protocol.eventstream.EventStreamException;
import dev.bsg.protocol.eventstream.EventStreamMessage;
import dev.bsg.protocol.translate.BedrockChunks;
import dev.bsg.protocol.translate.Json;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Relays a Bedrock event stream to the client as it arrives. Runs on the upstream client's thread:
 * each upstream read is decoded, translated by the {@link Dialect} and written (one write and flush
 * per read); the next read is requested only when that write is done, so nothing piles up.
 */
final class StreamRelay implements Flow.Subscriber<List<ByteBuffer>>, StreamWatchdog.Watched {
    private static final Logger LOG = LoggerFactory.getLogger(StreamRelay.class);

    /** How frames reach the client, and how the relay reports a broken upstream in the client's dialect. */
    interface Dialect {
        /** Appends what the client gets for these upstream bytes (already decoded into frames). */
        void translate(byte[] raw, int offset, int length, List<Decoded> frames, ByteArrayOutputStream out);

        /** The bytes that tell the client the upstream broke, or null when only cutting the connection can say it. */
        byte[] failure(String message, boolean atFrameBoundary);
    }

    /** A frame, with the Anthropic event inside it when it is a chunk (decoded once, for the client and for metering). */
    record Decoded(EventStreamMessage frame, byte[] eventJson, String eventType) {}

    /** How a relayed stream ended. */
    enum Outcome {
        COMPLETED,
        UPSTREAM_FAILED,
        CLIENT_GONE
    }

    private final Exchange exchange;
    private final StreamSink sink;
    private final Dialect dialect;
    private final EventStreamDecoder decoder = new EventStreamDecoder();
    private final List<EventStreamMessage> frames = new ArrayList<>(8);
    private final List<Decoded> decoded = new ArrayList<>(8);
    private final AtomicBoolean ended = new AtomicBoolean();
    private volatile Runnable unwatch = () -> {};
    private final byte[] ping;
    private final long pingNanos;
    private final long upstreamIdleNanos;
    private volatile Flow.Subscription subscription;
    private volatile boolean finished;
    private volatile long lastUpstreamNanos = System.nanoTime();

    private StreamRelay(Exchange exchange, StreamSink sink, Dialect dialect, byte[] ping, StreamWatchdog watchdog) {
        this.exchange = exchange;
        this.sink = sink;
        this.dialect = dialect;
        this.ping = ping;
        this.pingNanos = watchdog.pingInterval().toNanos();
        this.upstreamIdleNanos = watchdog.upstreamIdleTimeout().toNanos();
    }

    /**
     * Relays the stream by callbacks: returns at once with the exchange handed off (no thread waits for the
     * stream), and completes the exchange when the stream has ended one way or another. {@code ping} is what
     * to send the client during silence, or null for dialects that have none.
     */
    static void relay(
            Exchange exchange,
            UpstreamResponse upstream,
            StreamSink sink,
            Dialect dialect,
            byte[] ping,
            StreamWatchdog watchdog) {
        StreamRelay relay = new StreamRelay(exchange, sink, dialect, ping, watchdog);
        exchange.handOff();
        relay.unwatch = watchdog.watch(relay);
        if (relay.ended.get()) relay.unwatch.run(); // ended by the watchdog before it could be unwatched
        try {
            upstream.body().subscribe(relay);
        } catch (RuntimeException e) {
            relay.fail("upstream stream could not be read: " + e.getMessage());
        }
    }

    @Override
    public void onSubscribe(Flow.Subscription subscription) {
        this.subscription = subscription;
        subscription.request(1);
    }

    @Override
    public void tick(long now) {
        if (finished) return;
        if (now - lastUpstreamNanos > upstreamIdleNanos) {
            fail("upstream sent nothing for " + upstreamIdleNanos / 1_000_000 + " ms (upstream.read_timeout_ms)");
            Flow.Subscription current = subscription;
            if (current != null) current.cancel();
        } else if (ping != null) {
            sink.writeIfIdle(ping, pingNanos);
        }
    }

    @Override
    public void onNext(List<ByteBuffer> buffers) {
        lastUpstreamNanos = System.nanoTime();
        if (finished) return;
        int size = 0;
        for (ByteBuffer buffer : buffers) size += buffer.remaining();
        byte[] raw = new byte[size];
        int at = 0;
        for (ByteBuffer buffer : buffers) {
            int n = buffer.remaining();
            buffer.get(raw, at, n);
            at += n;
        }
        frames.clear();
        try {
            decoder.feed(raw, 0, raw.length, frames::add);
        } catch (EventStreamException e) {
            subscription.cancel();
            fail("upstream sent a malformed event stream: " + e.getMessage());
            return;
        }
        decoded.clear();
        for (EventStreamMessage frame : frames) decoded.add(meter(frame));
        ByteArrayOutputStream out = new ByteArrayOutputStream(Math.max(256, raw.length * 2));
        dialect.translate(raw, 0, raw.length, decoded, out);
        if (out.size() == 0) {
            subscription.request(1);
            return;
        }
        sink.write(
                ByteBuffer.wrap(out.toByteArray()),
                false,
                Callback.from(() -> subscription.request(1), this::clientGone));
    }

    @Override
    public void onError(Throwable throwable) {
        fail("upstream connection lost mid-stream: " + throwable.getMessage());
    }

    @Override
    public void onComplete() {
        if (decoder.pendingBytes() > 0) {
            fail("upstream stream ended in the middle of a frame");
            return;
        }
        finish(ByteBuffer.allocate(0), Outcome.COMPLETED);
    }

    /** Decodes a chunk's event once and lets the meter see the events that carry usage. */
    private Decoded meter(EventStreamMessage frame) {
        if (!frame.isEvent()) {
            String exception = frame.header(":exception-type");
            if (exception != null) exchange.failed(ApiError.fromBedrock(0, exception, ""));
            return new Decoded(frame, null, null);
        }
        String eventType = frame.header(":event-type");
        if ("chunk".equals(eventType)) {
            byte[] json = BedrockChunks.eventJson(frame);
            String type = json == null ? null : BedrockChunks.eventType(json);
            exchange.usage().streamEvent(type, json);
            return new Decoded(frame, json, type);
        }
        if ("metadata".equals(eventType)) {
            try {
                exchange.usage()
                        .converseUsage(Json.MAPPER.readTree(frame.payload()).path("usage"));
            } catch (IOException e) {
                // not JSON: nothing to meter
            }
        }
        return new Decoded(frame, null, null);
    }

    private void fail(String message) {
        if (finished) return;
        LOG.warn("stream {} for {}: {}", exchange.requestId(), exchange.model(), message);
        exchange.failed(ApiError.internal(message));
        byte[] notice = dialect.failure(message, decoder.pendingBytes() == 0);
        if (notice == null) {
            finished = true;
            exchange.abort(new IOException(message));
            end(Outcome.UPSTREAM_FAILED);
            return;
        }
        finish(ByteBuffer.wrap(notice), Outcome.UPSTREAM_FAILED);
    }

    private void finish(ByteBuffer last, Outcome outcome) {
        if (finished) return;
        finished = true;
        sink.write(last, true, Callback.from(() -> end(outcome), this::clientGone));
    }

    /** The stream is over (the first outcome wins): the exchange completes and its steps afterwards run. */
    private void end(Outcome outcome) {
        if (!ended.compareAndSet(false, true)) return;
        unwatch.run();
        if (outcome == Outcome.CLIENT_GONE) {
            exchange.usage().clientAborted(true);
            exchange.abort(new IOException("client went away"));
        } else exchange.complete();
        exchange.over();
    }

    private void clientGone(Throwable cause) {
        finished = true;
        if (subscription != null) subscription.cancel();
        end(Outcome.CLIENT_GONE);
    }
}
