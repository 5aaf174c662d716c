package dev.bsg.gateway.upstream;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One virtual thread that looks after every open stream a few times a second: it lets each send a
 * keep-alive ping to a client that heard nothing for a while (Bedrock sends no pings, and Claude
 * Code drops a stream after 300 s without bytes) and give up on an upstream that went silent.
 */
public final class StreamWatchdog implements AutoCloseable {
    /** A stream under watch; {@code tick} must not block. */
    interface Watched {
        void tick(long nowNanos);
    }

    private final Set<Watched> streams = ConcurrentHashMap.newKeySet();
    private final Duration pingInterval;
    private final Duration upstreamIdleTimeout;
    private final Thread thread;
    private volatile boolean running = true;

    public StreamWatchdog(Duration pingInterval, Duration upstreamIdleTimeout) {
        this.pingInterval = pingInterval;
        this.upstreamIdleTimeout = upstreamIdleTimeout;
        long tick = Math.max(50, Math.min(pingInterval.toMillis(), upstreamIdleTimeout.toMillis()) / 10);
        this.thread = Thread.ofVirtual().name("stream-watchdog").start(() -> {
            while (running) {
                try {
                    Thread.sleep(tick);
                } catch (InterruptedException e) {
                    return;
                }
                long now = System.nanoTime();
                // one stream's failure must not stop the pings and timeouts of all the others
                streams.removeIf(stream -> !ticked(stream, now));
            }
        });
    }

    Duration pingInterval() {
        return pingInterval;
    }

    Duration upstreamIdleTimeout() {
        return upstreamIdleTimeout;
    }

    /** Watches the stream until the returned action is run. */
    Runnable watch(Watched stream) {
        streams.add(stream);
        return () -> streams.remove(stream);
    }

    private static boolean ticked(Watched stream, long nowNanos) {
        try {
            stream.tick(nowNanos);
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
    }
}
