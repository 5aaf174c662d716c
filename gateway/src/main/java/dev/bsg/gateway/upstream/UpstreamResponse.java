package dev.bsg.gateway.upstream;

import dev.bsg.protocol.errors.ApiError;
import dev.bsg.protocol.translate.ErrorBodies;
import java.io.IOException;
import java.net.http.HttpHeaders;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Flow;

/**
 * Bedrock's answer: status and headers known; for a streamed 200 the body is still a publisher (pushed on the
 * HTTP client's thread as it arrives), otherwise it has been read whole.
 */
public record UpstreamResponse(
        int status, HttpHeaders headers, Flow.Publisher<List<ByteBuffer>> body, byte[] read, String region)
        implements AutoCloseable {

    public boolean ok() {
        return status == 200;
    }

    public String header(String name) {
        return headers.firstValue(name).orElse(null);
    }

    /** The upstream error in both dialects, its wording kept. */
    public ApiError error() {
        return ApiError.fromBedrock(status, header("x-amzn-errortype"), ErrorBodies.bedrockMessage(read));
    }

    /** The whole body; for small, non-streamed answers. */
    public byte[] readAll() throws IOException {
        return read != null ? read : readAll(body);
    }

    static byte[] readAll(Flow.Publisher<List<ByteBuffer>> publisher) throws IOException {
        HttpResponse.BodySubscriber<byte[]> collector = HttpResponse.BodySubscribers.ofByteArray();
        publisher.subscribe(collector);
        try {
            return collector.getBody().toCompletableFuture().join();
        } catch (CompletionException e) {
            throw new IOException(
                    "upstream body could not be read: " + e.getCause().getMessage(), e.getCause());
        }
    }

    /** Releases an unread body so the connection is not held. */
    @Override
    public void close() {
        if (body == null) return;
        body.subscribe(new Flow.Subscriber<>() {
            @Override
            public void onSubscribe(Flow.Subscription subscription) {
                subscription.cancel();
            }

            @Override
            public void onNext(List<ByteBuffer> item) {}

            @Override
            public void onError(Throwable throwable) {}

            @Override
            public void onComplete() {}
        });
    }
}
