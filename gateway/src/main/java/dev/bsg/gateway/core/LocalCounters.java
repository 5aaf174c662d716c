package dev.bsg.gateway.core;

import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/** Counters in this process: each instance limits on its own. Expired counters are swept now and then. */
public final class LocalCounters implements Counters {
    private static final long SWEEP_EVERY_NANOS = Duration.ofSeconds(30).toNanos();

    private static final class Counter {
        final AtomicLong value;
        final long expiresAt;

        Counter(long value, long expiresAt) {
            this.value = new AtomicLong(value);
            this.expiresAt = expiresAt;
        }
    }

    private final ConcurrentHashMap<String, Counter> counters = new ConcurrentHashMap<>();
    private volatile long nextSweep = System.nanoTime() + SWEEP_EVERY_NANOS;

    private @Nullable Counter live(String key) {
        Counter counter = counters.get(key);
        if (counter != null && counter.expiresAt - System.nanoTime() < 0) {
            counters.remove(key, counter);
            return null;
        }
        return counter;
    }

    private Counter counter(String key, Duration ttl) {
        Counter counter = live(key);
        if (counter != null) return counter;
        sweepNowAndThen();
        return counters.computeIfAbsent(key, k -> new Counter(0, System.nanoTime() + ttl.toNanos()));
    }

    private void sweepNowAndThen() {
        long now = System.nanoTime();
        if (now - nextSweep < 0) return;
        nextSweep = now + SWEEP_EVERY_NANOS;
        counters.values().removeIf(c -> c.expiresAt - now < 0);
    }

    @Override
    public synchronized int tryAdd(String[] keys, long[] increments, long[] limits, Duration ttl) {
        // Like the Redis script, a counter only checked (increment 0) is not created.
        Counter[] found = new Counter[keys.length];
        for (int i = 0; i < keys.length; i++) {
            found[i] = increments[i] == 0 ? live(keys[i]) : counter(keys[i], ttl);
            long value = found[i] == null ? 0 : found[i].value.get();
            if (value + increments[i] > limits[i]) return i;
        }
        for (int i = 0; i < keys.length; i++) if (increments[i] != 0) found[i].value.addAndGet(increments[i]);
        return -1;
    }

    @Override
    public void add(String[] keys, long delta, Duration ttl) {
        for (String key : keys) counter(key, ttl).value.addAndGet(delta);
    }

    @Override
    public synchronized void addEach(String[] keys, long[] deltas, Duration ttl) {
        for (int i = 0; i < keys.length; i++) {
            Counter counter = counter(keys[i], ttl);
            if (counter.value.addAndGet(deltas[i]) <= 0) counters.remove(keys[i], counter);
        }
    }

    @Override
    public long get(String key) {
        Counter counter = live(key);
        return counter == null ? -1 : counter.value.get();
    }
}
