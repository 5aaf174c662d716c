package dev.bsg.gateway.http;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.locks.ReentrantLock;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Blocker;

/**
 * A streamed response body. Writes come from the relay and, during upstream silence, from the
 * pinger, so they are serialised; each write is flushed to the client at once.
 */
public final class StreamSink {
    private final Response response;
    private final Runnable onFirstByte;
    private final ReentrantLock lock = new ReentrantLock();
    private volatile long lastWriteNanos = System.nanoTime();
    private volatile boolean closed;
    private boolean wroteAny;

    StreamSink(Response response, Runnable onFirstByte) {
        this.response = response;
        this.onFirstByte = onFirstByte;
    }

    /** Writes and flushes; an IOException means the client is gone. */
    public void write(byte[] bytes, int offset, int length) throws IOException {
        lock.lock();
        try {
            if (closed) throw new IOException("stream closed");
            if (!wroteAny) {
                wroteAny = true;
                onFirstByte.run();
            }
            try (Blocker.Callback blocker = Blocker.callback()) {
                response.write(false, ByteBuffer.wrap(bytes, offset, length), blocker);
                blocker.block();
            }
            lastWriteNanos = System.nanoTime();
        } finally {
            lock.unlock();
        }
    }

    public void write(byte[] bytes) throws IOException {
        write(bytes, 0, bytes.length);
    }

    /** Writes only if nothing was written for {@code idleNanos}; used for keep-alive pings. */
    public void writeIfIdle(byte[] bytes, long idleNanos) {
        if (closed || System.nanoTime() - lastWriteNanos < idleNanos) return;
        if (!lock.tryLock()) return;
        try {
            if (closed || System.nanoTime() - lastWriteNanos < idleNanos) return;
            try (Blocker.Callback blocker = Blocker.callback()) {
                response.write(false, ByteBuffer.wrap(bytes), blocker);
                blocker.block();
            }
            lastWriteNanos = System.nanoTime();
        } catch (IOException e) {
            closed = true;
        } finally {
            lock.unlock();
        }
    }

    public boolean isClosed() {
        return closed;
    }

    /** Ends the body cleanly. */
    public void close() throws IOException {
        lock.lock();
        try {
            if (closed) return;
            closed = true;
            try (Blocker.Callback blocker = Blocker.callback()) {
                response.write(true, ByteBuffer.allocate(0), blocker);
                blocker.block();
            }
        } finally {
            lock.unlock();
        }
    }

    public void markClosed() {
        closed = true;
    }
}
