package dev.bsg.gateway.http;

import dev.bsg.protocol.errors.ApiError;
import dev.bsg.protocol.translate.ErrorBodies;
import java.nio.ByteBuffer;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * The answers Jetty makes itself, before a request reaches the router (431 for huge headers, 400 for a
 * malformed request or a bad path escape, 414, 505...): JSON in the door's own envelope, as every
 * other error is, never Jetty's HTML page and never an internal class name.
 */
final class JsonErrors implements Request.Handler {
    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        int status = request.getAttribute(ErrorHandler.ERROR_STATUS) instanceof Integer s ? s : response.getStatus();
        if (status < 400) status = 500;
        String path = rawPath(request);
        ApiError error = error(status);
        String requestId = RequestIds.next();
        byte[] body;
        if (path == null) {
            // Jetty keeps no path for a request it could not parse, so the door is unknown: one body both
            // dialects read (Anthropic's envelope and Bedrock's message, with Bedrock's error-type header).
            response.getHeaders().put("X-Amzn-Errortype", error.bedrockType());
            body = ErrorBodies.eitherDialect(error, requestId);
        } else if (Router.doorOf(path) == Door.BEDROCK) {
            response.getHeaders().put("X-Amzn-Errortype", error.bedrockType());
            body = ErrorBodies.bedrock(error);
        } else {
            body = ErrorBodies.anthropic(error, requestId);
        }
        response.setStatus(status);
        response.getHeaders().put("request-id", requestId);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
        response.write(true, ByteBuffer.wrap(body), callback);
        return true;
    }

    /** The path as sent; null when Jetty could not parse the request (it then stands in {@code /badMessage}). */
    private static String rawPath(Request request) {
        try {
            String uri = request.getHttpURI().asString();
            if (uri.equals("/badMessage")) return null;
            int scheme = uri.indexOf("://");
            if (scheme >= 0) uri = uri.substring(Math.max(scheme + 3, uri.indexOf('/', scheme + 3)));
            int query = uri.indexOf('?');
            return query >= 0 ? uri.substring(0, query) : uri;
        } catch (RuntimeException e) {
            return null;
        }
    }

    static ApiError error(int status) {
        String message = switch (status) {
            case 400 -> "malformed HTTP request (request line, a header or the path)";
            case 413 -> "request too large";
            case 414 -> "request URI too long";
            case 431 -> "request headers too large";
            case 505 -> "HTTP version not supported";
            case 408 -> "request not received in time";
            default -> status >= 500 ? "the request could not be handled" : "request refused";
        };
        String anthropicType = switch (status) {
            case 413 -> "request_too_large";
            case 404 -> "not_found_error";
            default -> status >= 500 ? "api_error" : "invalid_request_error";
        };
        String bedrockType = status >= 500 ? "InternalServerException" : "ValidationException";
        return new ApiError(status, anthropicType, status, bedrockType, message);
    }
}
