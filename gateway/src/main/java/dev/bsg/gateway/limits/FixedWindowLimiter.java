package dev.bsg.gateway.limits;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/** At most {@code limit} events per key in each window; for unauthenticated endpoints, keyed by client IP. In-process. */
public final class FixedWindowLimiter {
    private final int limit;
    private final Cache<String, AtomicInteger> windows;

    public FixedWindowLimiter(int limit, Duration window) {
        this.limit = limit;
        this.windows = Caffeine.newBuilder().expireAfterWrite(window).maximumSize(100_000).build();
    }

    public boolean allow(String key) {
        return windows.get(key, k -> new AtomicInteger()).incrementAndGet() <= limit;
    }
}
