package dev.bsg.gateway.telemetry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class BackgroundTasksTest {
    @Test
    void aTaskThatFailsRunsAgainAtItsNextTurnAndIsCounted() throws Exception {
        GatewayMetrics metrics = new GatewayMetrics();
        AtomicInteger calls = new AtomicInteger();
        try (BackgroundTasks tasks = new BackgroundTasks(metrics)) {
            tasks.every("flaky", Duration.ZERO, Duration.ofMillis(20), () -> {
                if (calls.incrementAndGet() <= 3) throw new IllegalStateException("database away");
            });
            tasks.every("broken", Duration.ZERO, Duration.ofMillis(20), () -> {
                throw new Error("worse than an exception");
            });
            await().atMost(Duration.ofSeconds(5))
                    .until(() -> tasks.status().get("flaky").succeeded() >= 3);
            BackgroundTasks.Status flaky = tasks.status().get("flaky");
            assertThat(flaky.failed()).isEqualTo(3);
            assertThat(flaky.succeeded()).isGreaterThanOrEqualTo(3);
            assertThat(flaky.lastSuccessMillis()).isPositive();
            assertThat(tasks.status().get("broken").failed())
                    .as("an Error does not cancel it either")
                    .isGreaterThan(3);
        }
        assertThat(metrics.scrape()).contains("bsg_background_runs_total{outcome=\"failed\",task=\"flaky\"} 3.0");
    }
}
