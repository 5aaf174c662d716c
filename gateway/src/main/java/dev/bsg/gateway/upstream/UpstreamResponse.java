package dev.bsg.gateway.upstream;

import dev.bsg.protocol.errors.ApiError;
import dev.bsg.protocol.translate.ErrorBodies;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpHeaders;

/** Bedrock's answer: status and headers known, the body still to be read (or already read, for errors). */
public record UpstreamResponse(int status, HttpHeaders headers, InputStream body, byte[] errorBody, String region) implements AutoCloseable {

    public boolean ok() {
        return status == 200;
    }

    public String header(String name) {
        return headers.firstValue(name).orElse(null);
    }

    /** The upstream error in both dialects, its wording kept. */
    public ApiError error() {
        return ApiError.fromBedrock(status, header("x-amzn-errortype"), ErrorBodies.bedrockMessage(errorBody));
    }

    @Override
    public void close() {
        if (body == null) return;
        try {
            body.close();
        } catch (IOException e) {
            // already gone
        }
    }
}
