package dev.bsg.gateway.telemetry;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bsg.gateway.core.Principal;
import dev.bsg.gateway.http.Exchange;
import dev.bsg.gateway.http.HttpError;
import dev.bsg.protocol.errors.ApiError;
import dev.bsg.protocol.translate.Json;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.zip.GZIPInputStream;

/**
 * {@code POST /v1/metrics|logs|traces}: Claude Code's OpenTelemetry, sent to the gateway it signed in to. Each
 * export is stamped with the identity the gateway authenticated and queued for the configured destinations;
 * the client gets 200 whether or not anything is configured (anything else makes its exporter complain at every
 * flush).
 */
public final class OtlpRelay {
    private static final int MAX_INFLATED_BYTES = 32 << 20;
    private final OtlpForwarder forwarder;
    private final ProductivityDigest digest;

    public OtlpRelay(OtlpForwarder forwarder, ProductivityDigest digest) {
        this.forwarder = forwarder;
        this.digest = digest;
    }

    public void export(Exchange exchange, OtlpSignal signal) {
        String type = String.valueOf(exchange.header("Content-Type")).toLowerCase(Locale.ROOT);
        boolean protobuf = type.startsWith("application/x-protobuf") || type.startsWith("application/protobuf");
        if (!protobuf && !type.startsWith("application/json")) {
            throw new HttpError(new ApiError(
                    415,
                    "invalid_request_error",
                    415,
                    "ValidationException",
                    "OTLP/HTTP takes application/x-protobuf or application/json, not "
                            + exchange.header("Content-Type")));
        }
        byte[] body = inflated(exchange);
        byte[] stamped;
        try {
            Map<String, String> identity = identity(exchange.principal());
            if (protobuf && signal == OtlpSignal.METRICS) {
                ExportMetricsServiceRequest metrics = IdentityStamp.metrics(body, identity);
                stamped = metrics.toByteArray();
                digest.metrics(exchange.principal(), metrics);
            } else if (protobuf) {
                stamped = IdentityStamp.protobuf(signal, body, identity);
            } else {
                ObjectNode tree = IdentityStamp.jsonTree(signal, body, identity);
                stamped = Json.MAPPER.writeValueAsBytes(tree);
                if (signal == OtlpSignal.METRICS) digest.metrics(exchange.principal(), tree);
            }
        } catch (IOException e) {
            throw new HttpError(ApiError.invalidRequest("not an OTLP " + signal.label() + " export ("
                    + (protobuf ? "protobuf" : "JSON") + "): " + e.getMessage()));
        }
        forwarder.offer(signal, protobuf ? "application/x-protobuf" : "application/json", stamped);
        // An empty export response: zero bytes in protobuf, {} in JSON.
        exchange.send(
                200,
                protobuf ? "application/x-protobuf" : "application/json",
                protobuf ? new byte[0] : "{}".getBytes(StandardCharsets.US_ASCII));
    }

    static Map<String, String> identity(Principal principal) {
        Map<String, String> identity = new LinkedHashMap<>();
        if (principal.userId() != null) identity.put("user.id", principal.userId());
        identity.put("user.email", principal.email());
        identity.put("user.groups", String.join(",", principal.groups()));
        identity.put("identity.source", "bsg-gateway");
        return identity;
    }

    private static byte[] inflated(Exchange exchange) {
        byte[] body = exchange.body();
        String encoding = exchange.header("Content-Encoding");
        if (encoding == null || encoding.equalsIgnoreCase("identity")) return body;
        if (!encoding.equalsIgnoreCase("gzip"))
            throw new HttpError(
                    ApiError.invalidRequest("Content-Encoding " + encoding + " is not supported; use gzip"));
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(body))) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buffer = new byte[8192];
            for (int n; (n = in.read(buffer)) > 0; ) {
                out.write(buffer, 0, n);
                if (out.size() > MAX_INFLATED_BYTES)
                    throw new HttpError(ApiError.tooLarge("the export inflates past 32 MB"));
            }
            return out.toByteArray();
        } catch (IOException e) {
            throw new HttpError(ApiError.invalidRequest("the gzip body does not inflate: " + e.getMessage()));
        }
    }
}
