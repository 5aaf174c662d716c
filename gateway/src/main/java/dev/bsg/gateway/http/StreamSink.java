package dev.bsg.gateway.http;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.concurrent.locks.ReentrantLock;
import org.eclipse.jetty.util.Callback;

/**
 * A streamed response body written without blocking: the relay writes from the upstream client's
 * thread as bytes arrive, the pinger from its own; writes are queued so only one is in flight, and
 * each is flushed to the client at once.
 */
public final class StreamSink {
    /** Where the bytes go: Jetty's {@code Response.write} (tests put a socket of their own here). */
    interface Output {
        void write(boolean last, ByteBuffer bytes, Callback done);
    }

    private final Output output;
    private final Runnable onFirstByte;
    private final Runnable beforeLastByte;
    private final ReentrantLock lock = new ReentrantLock();
    private final ArrayDeque<Pending> queue = new ArrayDeque<>(4);
    private volatile long lastWriteNanos = System.nanoTime();
    private boolean writing;
    private boolean wroteAny;
    private boolean lastQueued;
    private Throwable failure;

    private record Pending(ByteBuffer bytes, boolean last, Callback done) {}

    StreamSink(Output output, Runnable onFirstByte, Runnable beforeLastByte) {
        this.output = output;
        this.onFirstByte = onFirstByte;
        this.beforeLastByte = beforeLastByte;
    }

    /** Queues bytes; {@code done} learns when they reached the socket, or that the client is gone. */
    public void write(ByteBuffer bytes, boolean last, Callback done) {
        if (last) beforeLastByte.run();
        Pending next = null;
        Throwable failed;
        lock.lock();
        try {
            failed = failure;
            if (failed == null) {
                if (lastQueued) {
                    failed = new IllegalStateException("stream already closed");
                } else {
                    lastQueued = last;
                    queue.add(new Pending(bytes, last, done));
                    if (!writing) {
                        writing = true;
                        next = queue.poll();
                    }
                }
            }
        } finally {
            lock.unlock();
        }
        if (failed != null) done.failed(failed);
        else if (next != null) start(next);
    }

    private void start(Pending pending) {
        if (!wroteAny) {
            wroteAny = true;
            onFirstByte.run();
        }
        output.write(pending.last(), pending.bytes(), new Callback() {
            @Override
            public void succeeded() {
                lastWriteNanos = System.nanoTime();
                pending.done().succeeded();
                Pending next;
                lock.lock();
                try {
                    next = queue.poll();
                    if (next == null) writing = false;
                } finally {
                    lock.unlock();
                }
                if (next != null) start(next);
            }

            @Override
            public void failed(Throwable cause) {
                ArrayDeque<Pending> abandoned;
                lock.lock();
                try {
                    failure = cause;
                    abandoned = new ArrayDeque<>(queue);
                    queue.clear();
                } finally {
                    lock.unlock();
                }
                pending.done().failed(cause);
                for (Pending p : abandoned) p.done().failed(cause);
            }
        });
    }

    /** Writes only if nothing was written or queued for {@code idleNanos}: keep-alive pings. */
    public void writeIfIdle(byte[] bytes, long idleNanos) {
        lock.lock();
        try {
            if (writing || lastQueued || failure != null || System.nanoTime() - lastWriteNanos < idleNanos) return;
        } finally {
            lock.unlock();
        }
        write(ByteBuffer.wrap(bytes), false, Callback.NOOP);
    }
}
