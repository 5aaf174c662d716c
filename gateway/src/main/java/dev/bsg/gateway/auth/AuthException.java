package dev.bsg.gateway.auth;

import dev.bsg.gateway.http.HttpError;
import dev.bsg.protocol.errors.ApiError;

public class AuthException extends HttpError {
    public AuthException(ApiError error) {
        super(error);
    }
}
