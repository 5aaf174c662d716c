package dev.bsg.gateway.core;

import java.time.Duration;

/**
 * Named counters with an expiry, the state every limit and budget keeps: in this process by default,
 * in Redis when instances share it. Each method is atomic on its own.
 */
public interface Counters extends AutoCloseable {
    /**
     * Adds each increment to its counter if every counter stays within its limit; otherwise adds
     * nothing. Returns -1 when added, else the index of the first counter that would pass its limit.
     */
    int tryAdd(String[] keys, long[] increments, long[] limits, Duration ttl);

    /** Adds to counters, creating them with the expiry if needed. */
    void add(String[] keys, long delta, Duration ttl);

    /** Adds each delta to its counter; a counter that reaches zero or less is removed (so it never goes negative). */
    void addEach(String[] keys, long[] deltas, Duration ttl);

    /** The counter's value, or -1 when it doesn't exist. */
    long get(String key);

    @Override
    default void close() {}
}
