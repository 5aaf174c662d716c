package dev.bsg.bench;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Opens many concurrent streaming requests at a steady rate and reads each to its end, one virtual
 * thread and one plain socket per stream (a load generator that itself stays small at 10,000 streams).
 * Prints one line: completed, failed by reason, time to response headers and whole-stream time.
 *
 * <p>Usage: StreamLoad URL STREAMS PER-SECOND END-MARKER BODY [HEADER: VALUE]...
 */
public final class StreamLoad {
    private final URI url;
    private final byte[] request;
    private final byte[] endMarker;
    private final AtomicInteger open = new AtomicInteger();
    private final AtomicInteger peakOpen = new AtomicInteger();
    private final Map<String, AtomicInteger> failures = new ConcurrentHashMap<>();
    private final AtomicLongArray headerMicros;
    private final AtomicLongArray totalMillis;
    private final AtomicInteger completed = new AtomicInteger();

    private StreamLoad(URI url, String body, List<String> headers, String endMarker, int streams) {
        this.url = url;
        this.endMarker = endMarker.getBytes(StandardCharsets.UTF_8);
        byte[] content = body.getBytes(StandardCharsets.UTF_8);
        StringBuilder head = new StringBuilder()
                .append("POST ")
                .append(url.getRawPath())
                .append(" HTTP/1.1\r\nHost: ")
                .append(url.getHost())
                .append(':')
                .append(url.getPort())
                .append("\r\nContent-Type: application/json\r\nConnection: close\r\nContent-Length: ")
                .append(content.length)
                .append("\r\n");
        for (String header : headers) head.append(header).append("\r\n");
        byte[] start = head.append("\r\n").toString().getBytes(StandardCharsets.UTF_8);
        this.request = Arrays.copyOf(start, start.length + content.length);
        System.arraycopy(content, 0, request, start.length, content.length);
        this.headerMicros = new AtomicLongArray(streams);
        this.totalMillis = new AtomicLongArray(streams);
    }

    public static void main(String[] args) throws Exception {
        URI url = URI.create(args[0]);
        int streams = Integer.parseInt(args[1]);
        int perSecond = Integer.parseInt(args[2]);
        StreamLoad load = new StreamLoad(url, args[4], List.of(args).subList(5, args.length), args[3], streams);
        load.run(streams, perSecond);
    }

    private void run(int streams, int perSecond) throws InterruptedException {
        CountDownLatch done = new CountDownLatch(streams);
        long started = System.nanoTime();
        Thread progress = Thread.ofPlatform().daemon().start(() -> report(done, started));
        try (var threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < streams; i++) {
                long due = started + i * 1_000_000_000L / perSecond;
                long wait = due - System.nanoTime();
                if (wait > 0) Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                int index = i;
                threads.execute(() -> {
                    try {
                        stream(index);
                    } finally {
                        done.countDown();
                    }
                });
            }
            done.await();
        }
        progress.interrupt();
        long[] headers = sorted(headerMicros);
        long[] totals = sorted(totalMillis);
        System.out.printf(
                "completed %d failed %d failures %s peak_open %d headers_p50_ms %.2f headers_p99_ms %.2f headers_max_ms %.2f"
                        + " stream_p50_s %.2f stream_p99_s %.2f wall_s %.1f%n",
                completed.get(),
                streams - completed.get(),
                new TreeMap<>(failures),
                peakOpen.get(),
                percentile(headers, 0.50) / 1000.0,
                percentile(headers, 0.99) / 1000.0,
                percentile(headers, 1.0) / 1000.0,
                percentile(totals, 0.50) / 1000.0,
                percentile(totals, 0.99) / 1000.0,
                (System.nanoTime() - started) / 1e9);
    }

    private void report(CountDownLatch done, long started) {
        try {
            while (done.getCount() > 0) {
                Thread.sleep(5_000);
                System.err.printf(
                        "streams: %.0f s, %d open, %d completed, %d failed%n",
                        (System.nanoTime() - started) / 1e9,
                        open.get(),
                        completed.get(),
                        failures.values().stream().mapToInt(AtomicInteger::get).sum());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void stream(int index) {
        long began = System.nanoTime();
        peakOpen.accumulateAndGet(open.incrementAndGet(), Math::max);
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(url.getHost(), url.getPort()), 10_000);
            socket.setSoTimeout(120_000);
            OutputStream out = socket.getOutputStream();
            out.write(request);
            out.flush();
            InputStream in = new BufferedInputStream(socket.getInputStream(), 4096);
            byte[] buffer = new byte[4096];
            int status = readStatus(in);
            headerMicros.set(index, (System.nanoTime() - began) / 1_000);
            if (status != 200) {
                fail("http " + status);
                return;
            }
            if (!readToMarker(in, buffer)) {
                fail("ended without " + new String(endMarker, StandardCharsets.UTF_8));
                return;
            }
            totalMillis.set(index, (System.nanoTime() - began) / 1_000_000);
            completed.incrementAndGet();
        } catch (IOException e) {
            fail(e.getClass().getSimpleName() + ": " + e.getMessage());
        } finally {
            open.decrementAndGet();
        }
    }

    /** Reads the response head; returns its status. */
    private static int readStatus(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        int matched = 0;
        while (matched < 4) {
            int b = in.read();
            if (b < 0) throw new IOException("closed before the response headers");
            head.append((char) b);
            matched = (b == '\r' || b == '\n') ? matched + 1 : 0;
        }
        String line = head.substring(0, head.indexOf("\r\n"));
        return Integer.parseInt(line.split(" ")[1]);
    }

    /** Reads to the end of the stream; true when the end marker was seen (across read boundaries too). */
    private boolean readToMarker(InputStream in, byte[] buffer) throws IOException {
        byte[] window = new byte[buffer.length + endMarker.length];
        int carried = 0;
        boolean seen = false;
        for (int n; (n = in.read(buffer)) >= 0; ) {
            if (seen) continue;
            System.arraycopy(buffer, 0, window, carried, n);
            int length = carried + n;
            seen = indexOf(window, length, endMarker) >= 0;
            carried = Math.min(endMarker.length - 1, length);
            System.arraycopy(window, length - carried, window, 0, carried);
        }
        return seen;
    }

    private static int indexOf(byte[] data, int length, byte[] marker) {
        outer:
        for (int i = 0; i + marker.length <= length; i++) {
            for (int j = 0; j < marker.length; j++) if (data[i + j] != marker[j]) continue outer;
            return i;
        }
        return -1;
    }

    private void fail(String reason) {
        failures.computeIfAbsent(reason.length() > 80 ? reason.substring(0, 80) : reason, k -> new AtomicInteger())
                .incrementAndGet();
    }

    /** The recorded figures (a slot stays 0 when its stream got no headers or did not complete), sorted. */
    private static long[] sorted(AtomicLongArray values) {
        List<Long> kept = new ArrayList<>();
        for (int i = 0; i < values.length(); i++) if (values.get(i) > 0) kept.add(values.get(i));
        long[] array = kept.stream().mapToLong(Long::longValue).toArray();
        Arrays.sort(array);
        return array;
    }

    private static long percentile(long[] sorted, double p) {
        if (sorted.length == 0) return 0;
        int rank = (int) Math.ceil(p * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank))];
    }
}
