package dev.bsg.gateway.core;

import java.time.Duration;

/**
 * At most {@code limit} events per key in each window, counted in the shared {@link Counters} (so with
 * Redis, across every instance); for unauthenticated endpoints, keyed by client IP.
 */
public final class FixedWindowLimiter {
    private final Counters counters;
    private final String name;
    private final int limit;
    private final Duration window;

    public FixedWindowLimiter(Counters counters, String name, int limit, Duration window) {
        this.counters = counters;
        this.name = name;
        this.limit = limit;
        this.window = window;
    }

    public boolean allow(String key) {
        long windowIndex = System.currentTimeMillis() / window.toMillis();
        try {
            return counters.tryAdd(
                            new String[] {"fw:" + name + ":" + key + ":" + windowIndex},
                            new long[] {1},
                            new long[] {limit},
                            window)
                    < 0;
        } catch (RuntimeException e) {
            return true; // the shared store is down: sign-in is not refused for that
        }
    }
}
