package dev.bsg.gateway.http;

import dev.bsg.protocol.errors.ApiError;

/** Thrown anywhere on the request path to answer the client with this error in its door's format. */
public class HttpError extends RuntimeException {
    private final ApiError error;

    public HttpError(ApiError error) {
        super(error.message(), null, false, false);
        this.error = error;
    }

    public ApiError error() {
        return error;
    }
}
