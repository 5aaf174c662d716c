package dev.bsg.gateway.upstream;

import dev.bsg.gateway.http.StreamSink;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Keeps translated streams alive: Bedrock sends no pings, and Claude Code drops a stream after
 * 300 s without bytes, so any SSE stream idle for the interval gets a {@code ping} event.
 */
public final class Pinger implements AutoCloseable {
    private final Set<Registration> streams = ConcurrentHashMap.newKeySet();
    private final long intervalNanos;
    private final Thread thread;
    private volatile boolean running = true;

    private record Registration(StreamSink sink, byte[] ping) {}

    public Pinger(Duration interval) {
        this.intervalNanos = interval.toNanos();
        long tick = Math.max(50, interval.toMillis() / 10);
        this.thread = Thread.ofVirtual().name("pinger").start(() -> {
            while (running) {
                try {
                    Thread.sleep(tick);
                } catch (InterruptedException e) {
                    return;
                }
                for (Registration registration : streams) {
                    if (registration.sink().isClosed()) continue;
                    registration.sink().writeIfIdle(registration.ping(), intervalNanos);
                }
            }
        });
    }

    public AutoCloseable watch(StreamSink sink, byte[] ping) {
        Registration registration = new Registration(sink, ping);
        streams.add(registration);
        return () -> streams.remove(registration);
    }

    public int watched() {
        return streams.size();
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
    }
}
