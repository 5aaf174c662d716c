package dev.bsg.gateway.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.api.Test;

class StreamSinkTest {
    /** A socket that takes one write at a time and finishes it when the test says. */
    private static final class HeldOutput implements StreamSink.Output {
        final List<String> written = new ArrayList<>();
        final List<Callback> pending = new ArrayList<>();
        final List<Boolean> lasts = new ArrayList<>();

        @Override
        public synchronized void write(boolean last, ByteBuffer bytes, Callback done) {
            written.add(StandardCharsets.UTF_8.decode(bytes).toString());
            lasts.add(last);
            pending.add(done);
        }

        void finishNext() {
            Callback done;
            synchronized (this) {
                done = pending.remove(0);
            }
            done.succeeded();
        }
    }

    /** Records how each queued write ended. */
    private static final class Outcome implements Callback {
        final CompletableFuture<Throwable> result = new CompletableFuture<>();

        @Override
        public void succeeded() {
            result.complete(null);
        }

        @Override
        public void failed(Throwable cause) {
            result.complete(cause);
        }
    }

    private static ByteBuffer bytes(String text) {
        return ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void onlyOneWriteIsInFlightAndTheQueueKeepsItsOrder() {
        HeldOutput out = new HeldOutput();
        AtomicInteger firstBytes = new AtomicInteger();
        AtomicInteger lastBytes = new AtomicInteger();
        StreamSink sink = new StreamSink(out, firstBytes::incrementAndGet, lastBytes::incrementAndGet);
        Outcome a = new Outcome();
        Outcome b = new Outcome();
        Outcome c = new Outcome();
        sink.write(bytes("a"), false, a);
        sink.write(bytes("b"), false, b);
        sink.write(bytes("c"), true, c);
        assertThat(out.written).containsExactly("a");
        assertThat(firstBytes).hasValue(1);
        assertThat(lastBytes)
                .as("the last write is announced when it is queued")
                .hasValue(1);
        out.finishNext();
        assertThat(a.result).isCompletedWithValue(null);
        assertThat(out.written).containsExactly("a", "b");
        out.finishNext();
        out.finishNext();
        assertThat(out.written).containsExactly("a", "b", "c");
        assertThat(out.lasts).containsExactly(false, false, true);
        assertThat(c.result).isCompletedWithValue(null);
        assertThat(firstBytes).hasValue(1);
    }

    @Test
    void aFailedWriteFailsEverythingQueuedAndEverythingAfter() {
        HeldOutput out = new HeldOutput();
        StreamSink sink = new StreamSink(out, () -> {}, () -> {});
        Outcome a = new Outcome();
        Outcome b = new Outcome();
        sink.write(bytes("a"), false, a);
        sink.write(bytes("b"), false, b);
        IOException gone = new IOException("client gone");
        out.pending.remove(0).failed(gone);
        assertThat(a.result).isCompletedWithValue(gone);
        assertThat(b.result).isCompletedWithValue(gone);
        Outcome later = new Outcome();
        sink.write(bytes("c"), false, later);
        assertThat(later.result).isCompletedWithValue(gone);
        assertThat(out.written).containsExactly("a");
    }

    @Test
    void nothingIsWrittenAfterTheLastWrite() {
        HeldOutput out = new HeldOutput();
        StreamSink sink = new StreamSink(out, () -> {}, () -> {});
        sink.write(bytes("end"), true, new Outcome());
        out.finishNext();
        Outcome late = new Outcome();
        sink.write(bytes("late"), false, late);
        assertThat(late.result.join()).isInstanceOf(IllegalStateException.class);
        assertThat(out.written).containsExactly("end");
    }

    @Test
    void aPingGoesOutOnlyWhenTheStreamIsIdle() {
        HeldOutput out = new HeldOutput();
        StreamSink sink = new StreamSink(out, () -> {}, () -> {});
        sink.writeIfIdle("ping".getBytes(StandardCharsets.UTF_8), TimeUnit.HOURS.toNanos(1));
        assertThat(out.written).as("not idle for an hour yet").isEmpty();
        sink.writeIfIdle("ping".getBytes(StandardCharsets.UTF_8), 0);
        assertThat(out.written).containsExactly("ping");
        sink.writeIfIdle("ping".getBytes(StandardCharsets.UTF_8), 0);
        assertThat(out.written).as("not while a write is in flight").containsExactly("ping");
        out.finishNext();
        sink.write(bytes("end"), true, new Outcome());
        out.finishNext();
        sink.writeIfIdle("ping".getBytes(StandardCharsets.UTF_8), 0);
        assertThat(out.written).as("not after the last write").containsExactly("ping", "end");
    }

    @Test
    void writersOnManyThreadsEachKeepTheirOrderAndNeverOverlap() throws Exception {
        AtomicInteger inFlight = new AtomicInteger();
        AtomicInteger overlaps = new AtomicInteger();
        ConcurrentLinkedQueue<String> delivered = new ConcurrentLinkedQueue<>();
        try (ExecutorService socket = Executors.newSingleThreadExecutor();
                ExecutorService writers = Executors.newFixedThreadPool(4)) {
            StreamSink sink = new StreamSink(
                    (last, buffer, done) -> {
                        if (inFlight.incrementAndGet() > 1) overlaps.incrementAndGet();
                        String text = StandardCharsets.UTF_8.decode(buffer).toString();
                        socket.execute(() -> {
                            delivered.add(text);
                            inFlight.decrementAndGet();
                            done.succeeded();
                        });
                    },
                    () -> {},
                    () -> {});
            List<CompletableFuture<Void>> all = new ArrayList<>();
            for (int w = 0; w < 4; w++) {
                int writer = w;
                all.add(CompletableFuture.runAsync(
                        () -> {
                            for (int i = 0; i < 500; i++) sink.write(bytes(writer + ":" + i), false, Callback.NOOP);
                        },
                        writers));
            }
            CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
            Outcome end = new Outcome();
            sink.write(bytes("end"), true, end);
            assertThat(end.result.get(30, TimeUnit.SECONDS)).isNull();
        }
        assertThat(overlaps).hasValue(0);
        assertThat(delivered).hasSize(2001).last().isEqualTo("end");
        for (int w = 0; w < 4; w++) {
            String prefix = w + ":";
            List<Integer> order = delivered.stream()
                    .filter(s -> s.startsWith(prefix))
                    .map(s -> Integer.parseInt(s.substring(prefix.length())))
                    .toList();
            assertThat(order).hasSize(500).isSorted();
        }
    }
}
