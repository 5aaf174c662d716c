package dev.bsg.gateway.upstream;

import dev.bsg.gateway.http.Exchange;
import dev.bsg.gateway.http.StreamSink;
import dev.bsg.protocol.eventstream.EventStreamDecoder;
import dev.bsg.protocol.eventstream.EventStreamException;
import dev.bsg.protocol.eventstream.EventStreamMessage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Relays a Bedrock event stream to the client as it arrives: one write and flush per upstream
 * read, never buffered across reads. What each frame becomes on the wire is the {@link Dialect}'s call.
 */
final class StreamRelay {
    private static final Logger LOG = LoggerFactory.getLogger(StreamRelay.class);

    /** How frames reach the client, and how the relay reports a broken upstream in the client's dialect. */
    interface Dialect {
        /** Appends what the client gets for these upstream bytes (decoded into frames by the relay). */
        void translate(byte[] raw, int offset, int length, java.util.List<EventStreamMessage> frames, ByteArrayOutputStream out);

        /** The bytes that tell the client the upstream broke, or null when only cutting the connection can say it. */
        byte[] failure(String message, boolean atFrameBoundary);
    }

    private StreamRelay() {}

    static void relay(Exchange exchange, UpstreamResponse upstream, StreamSink sink, Dialect dialect) {
        EventStreamDecoder decoder = new EventStreamDecoder();
        byte[] buffer = new byte[16 * 1024];
        ByteArrayOutputStream out = new ByteArrayOutputStream(4096);
        java.util.List<EventStreamMessage> frames = new java.util.ArrayList<>(8);
        String failure = null;
        try (InputStream in = upstream.body()) {
            while (true) {
                int n;
                try {
                    n = in.read(buffer);
                } catch (IOException e) {
                    failure = "upstream connection lost mid-stream: " + e.getMessage();
                    break;
                }
                if (n < 0) break;
                if (n == 0) continue;
                frames.clear();
                out.reset();
                try {
                    decoder.feed(buffer, 0, n, frames::add);
                } catch (EventStreamException e) {
                    failure = "upstream sent a malformed event stream: " + e.getMessage();
                    break;
                }
                dialect.translate(buffer, 0, n, frames, out);
                if (out.size() > 0) sink.write(out.toByteArray());
            }
            if (failure == null && decoder.pendingBytes() > 0) failure = "upstream stream ended in the middle of a frame";
            if (failure != null) {
                LOG.warn("stream {} for {}: {}", exchange.requestId(), exchange.model(), failure);
                byte[] notice = dialect.failure(failure, decoder.pendingBytes() == 0);
                if (notice == null) {
                    exchange.abort(new IOException(failure));
                    return;
                }
                sink.write(notice);
            }
            sink.close();
            exchange.complete();
        } catch (IOException clientGone) {
            // The client hung up: closing the upstream body (try-with-resources) cancels the upstream call.
            sink.markClosed();
            exchange.abort(clientGone);
        }
    }
}
