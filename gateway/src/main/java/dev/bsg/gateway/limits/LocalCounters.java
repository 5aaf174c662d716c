package dev.bsg.gateway.limits;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/** Counters in this process: each instance limits on its own. */
public final class LocalCounters implements Counters {
    private record Counter(AtomicLong value, long ttlNanos) {}

    private final Cache<String, Counter> counters = Caffeine.newBuilder().maximumSize(1_000_000)
            .expireAfter(new Expiry<String, Counter>() {
                @Override
                public long expireAfterCreate(String key, Counter counter, long now) {
                    return counter.ttlNanos();
                }

                @Override
                public long expireAfterUpdate(String key, Counter counter, long now, long remaining) {
                    return remaining;
                }

                @Override
                public long expireAfterRead(String key, Counter counter, long now, long remaining) {
                    return remaining;
                }
            }).build();

    private Counter counter(String key, Duration ttl) {
        return counters.get(key, k -> new Counter(new AtomicLong(), ttl.toNanos()));
    }

    @Override
    public synchronized int tryAdd(String[] keys, long[] increments, long[] limits, Duration ttl) {
        Counter[] found = new Counter[keys.length];
        for (int i = 0; i < keys.length; i++) {
            found[i] = counter(keys[i], ttl);
            if (found[i].value().get() + increments[i] > limits[i]) return i;
        }
        for (int i = 0; i < keys.length; i++) found[i].value().addAndGet(increments[i]);
        return -1;
    }

    @Override
    public void add(String[] keys, long delta, Duration ttl) {
        for (String key : keys) counter(key, ttl).value().addAndGet(delta);
    }

    @Override
    public void addIfPresent(String[] keys, long delta) {
        for (String key : keys) {
            Counter counter = counters.getIfPresent(key);
            if (counter != null) counter.value().addAndGet(delta);
        }
    }

    @Override
    public long get(String key) {
        Counter counter = counters.getIfPresent(key);
        return counter == null ? -1 : counter.value().get();
    }

    @Override
    public void setIfAbsent(String key, long value, Duration ttl) {
        counters.asMap().putIfAbsent(key, new Counter(new AtomicLong(value), ttl.toNanos()));
    }
}
