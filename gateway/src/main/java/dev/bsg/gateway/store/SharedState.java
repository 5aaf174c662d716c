package dev.bsg.gateway.store;

import dev.bsg.gateway.core.Counters;
import dev.bsg.gateway.core.LocalCounters;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * State every instance must see: limit and budget counters, and a broadcast of changes that caches
 * must drop (a revoked key, a disabled user, new spend limits). In this process, or in Redis.
 */
public interface SharedState extends AutoCloseable {
    Counters counters();

    /** Tells every instance, this one included, about a change. */
    void broadcast(String event);

    /** Called with every broadcast event, from any instance. */
    void onEvent(Consumer<String> listener);

    /** Why the shared store can't be reached, or null when it can (for readiness). */
    default String problem() {
        return null;
    }

    @Override
    default void close() {}

    static SharedState inProcess() {
        LocalCounters counters = new LocalCounters();
        List<Consumer<String>> listeners = new CopyOnWriteArrayList<>();
        return new SharedState() {
            @Override
            public Counters counters() {
                return counters;
            }

            @Override
            public void broadcast(String event) {
                for (Consumer<String> listener : listeners) listener.accept(event);
            }

            @Override
            public void onEvent(Consumer<String> listener) {
                listeners.add(listener);
            }
        };
    }
}
