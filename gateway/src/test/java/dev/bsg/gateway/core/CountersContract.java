package dev.bsg.gateway.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** What every {@link Counters} does, in this process or in Redis: the limits and budgets rest on it. */
public abstract class CountersContract {
    private static final Duration MINUTE = Duration.ofMinutes(1);

    protected abstract Counters counters();

    private final String prefix = "test:" + UUID.randomUUID() + ":";

    private String key(String name) {
        return prefix + name;
    }

    @Test
    void aMissingCounterReadsMinusOne() {
        assertThat(counters().get(key("never"))).isEqualTo(-1);
    }

    @Test
    void tryAddAddsToEveryCounterOrToNone() {
        String[] keys = {key("a"), key("b")};
        assertThat(counters().tryAdd(keys, new long[] {2, 2}, new long[] {5, 3}, MINUTE))
                .isEqualTo(-1);
        assertThat(counters().get(key("a"))).isEqualTo(2);
        assertThat(counters().tryAdd(keys, new long[] {2, 2}, new long[] {5, 3}, MINUTE))
                .as("b would reach 4, past its limit of 3")
                .isEqualTo(1);
        assertThat(counters().get(key("a")))
                .as("nothing added when one counter refuses")
                .isEqualTo(2);
        assertThat(counters().get(key("b"))).isEqualTo(2);
        assertThat(counters().tryAdd(keys, new long[] {3, 1}, new long[] {5, 3}, MINUTE))
                .as("exactly at the limit is allowed")
                .isEqualTo(-1);
        assertThat(counters().get(key("a"))).isEqualTo(5);
    }

    @Test
    void aZeroIncrementChecksWithoutCreating() {
        assertThat(counters().tryAdd(new String[] {key("z")}, new long[] {0}, new long[] {10}, MINUTE))
                .isEqualTo(-1);
        assertThat(counters().get(key("z"))).isEqualTo(-1);
    }

    @Test
    void addEachRemovesACounterAtZeroSoItNeverGoesNegative() {
        counters().add(new String[] {key("slots"), key("other")}, 3, MINUTE);
        counters().addEach(new String[] {key("slots"), key("other")}, new long[] {-3, -1}, MINUTE);
        assertThat(counters().get(key("slots"))).isEqualTo(-1);
        assertThat(counters().get(key("other"))).isEqualTo(2);
        counters().addEach(new String[] {key("slots")}, new long[] {-5}, MINUTE);
        assertThat(counters().get(key("slots"))).isEqualTo(-1);
        counters().add(new String[] {key("slots")}, 1, MINUTE);
        assertThat(counters().get(key("slots"))).isEqualTo(1);
    }

    @Test
    void countersExpire() {
        counters().add(new String[] {key("short")}, 7, Duration.ofSeconds(1));
        assertThat(counters().get(key("short"))).isEqualTo(7);
        await().atMost(Duration.ofSeconds(5)).until(() -> counters().get(key("short")) == -1);
    }

    @Test
    void concurrentTryAddsNeverPassTheLimit() throws Exception {
        String[] keys = {key("shared")};
        AtomicInteger admitted = new AtomicInteger();
        List<Future<?>> done = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(8)) {
            for (int t = 0; t < 8; t++) {
                done.add(pool.submit(() -> {
                    for (int i = 0; i < 100; i++)
                        if (counters().tryAdd(keys, new long[] {1}, new long[] {500}, MINUTE) < 0)
                            admitted.incrementAndGet();
                }));
            }
            for (Future<?> f : done) f.get();
        }
        assertThat(admitted.get()).isEqualTo(500);
        assertThat(counters().get(key("shared"))).isEqualTo(500);
    }
}
