package dev.bsg.gateway.telemetry;

import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's periodic work (reloading limits, prices, revocations; pruning). A run that fails is
 * logged and counted and the task simply runs again at its next turn: an executor cancels a task for
 * good on its first exception, which once left spend limits unreloaded after a database outage.
 */
public final class BackgroundTasks implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(BackgroundTasks.class);
    private static final long LOG_EVERY_MILLIS = 60_000;
    private final ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(
            Thread.ofVirtual().name("housekeeping").factory());
    private final GatewayMetrics metrics;
    private final Map<String, Task> tasks = new ConcurrentHashMap<>();
    private final Map<String, Runnable> jobs = new ConcurrentHashMap<>();

    /** How one task has fared: runs that finished, runs that failed, and when one last finished (epoch ms, 0 = never). */
    public record Status(long succeeded, long failed, long lastSuccessMillis) {}

    private static final class Task {
        final AtomicLong succeeded = new AtomicLong();
        final AtomicLong failed = new AtomicLong();
        volatile long lastSuccessMillis;
        volatile long lastLoggedMillis;
    }

    public BackgroundTasks(GatewayMetrics metrics) {
        this.metrics = metrics;
    }

    public void every(String name, Duration initialDelay, Duration period, Runnable work) {
        Task task = new Task();
        tasks.put(name, task);
        jobs.put(name, work);
        metrics.gauge(
                "bsg.background.last.success",
                "When each background task last finished, in epoch seconds (0 = never)",
                "task",
                name,
                () -> task.lastSuccessMillis / 1000.0);
        ScheduledFuture<?> unused =
                executor.scheduleWithFixedDelay( // run() catches everything, so the future never fails
                        () -> run(name, task, work), initialDelay.toMillis(), period.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void run(String name, Task task, Runnable work) {
        try {
            work.run();
            task.succeeded.incrementAndGet();
            task.lastSuccessMillis = System.currentTimeMillis();
            metrics.backgroundRun(name, "ok");
        } catch (Throwable e) { // never rethrown: that would cancel the task for good
            task.failed.incrementAndGet();
            metrics.backgroundRun(name, "failed");
            long now = System.currentTimeMillis();
            if (now - task.lastLoggedMillis >= LOG_EVERY_MILLIS) {
                task.lastLoggedMillis = now;
                LOG.warn("background task {} failed ({}); it runs again at its next turn", name, e.toString());
            }
        }
    }

    /** Runs every task once now, on the same thread and with the same accounting as their turns (operators, tests). */
    public void runAllNow() throws InterruptedException {
        for (Map.Entry<String, Runnable> each : jobs.entrySet()) {
            try {
                executor.submit(() -> run(each.getKey(), tasks.get(each.getKey()), each.getValue()))
                        .get();
            } catch (ExecutionException e) {
                throw new IllegalStateException(e); // run() never throws; this is unreachable
            }
        }
    }

    public Map<String, Status> status() {
        Map<String, Status> all = new TreeMap<>();
        tasks.forEach((name, t) -> all.put(name, new Status(t.succeeded.get(), t.failed.get(), t.lastSuccessMillis)));
        return all;
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
