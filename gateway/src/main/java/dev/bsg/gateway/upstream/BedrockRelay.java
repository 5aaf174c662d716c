package dev.bsg.gateway.upstream;

import dev.bsg.gateway.http.Exchange;
import dev.bsg.gateway.http.HttpError;
import dev.bsg.gateway.http.Interceptor;
import dev.bsg.gateway.http.StreamSink;
import dev.bsg.protocol.errors.ApiError;
import dev.bsg.protocol.errors.BedrockErrorTypes;
import dev.bsg.protocol.eventstream.EventStreamCodec;
import dev.bsg.protocol.eventstream.EventStreamMessage;
import dev.bsg.protocol.models.BedrockModelIds;
import dev.bsg.protocol.models.ModelCatalog;
import dev.bsg.protocol.translate.ErrorBodies;
import java.io.ByteArrayOutputStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.jetty.http.HttpField;

/** The Bedrock door: the request re-signed and sent as it came, the answer (frames too) passed back unchanged. */
public final class BedrockRelay {
    private static final List<String> RESPONSE_HEADERS = List.of(
            "content-type",
            "x-amzn-requestid",
            "x-amzn-errortype",
            "x-amzn-bedrock-content-type",
            "x-amzn-bedrock-invocation-latency",
            "x-amzn-bedrock-input-token-count",
            "x-amzn-bedrock-output-token-count",
            "x-amzn-bedrock-cache-read-input-token-count",
            "x-amzn-bedrock-cache-write-input-token-count",
            "x-amzn-bedrock-performanceconfig-latency",
            "x-amzn-bedrock-service-tier");

    private final ModelCatalog catalog;
    private final BedrockUpstream upstream;
    private final StreamWatchdog watchdog;
    private final ModelPolicy modelPolicy;
    private final ModelGuard guard;

    public BedrockRelay(
            ModelCatalog catalog,
            BedrockUpstream upstream,
            StreamWatchdog watchdog,
            ModelPolicy modelPolicy,
            ModelGuard guard) {
        this.modelPolicy = modelPolicy;
        this.guard = guard;
        this.catalog = catalog;
        this.upstream = upstream;
        this.watchdog = watchdog;
    }

    /** The model of the path, resolved and allowed to this caller. */
    record Accepted(String modelId) {}

    /** Checks the path's model (guard, the caller's policy) before any limit counts the request. */
    public Interceptor authorise() {
        return (exchange, chain) -> {
            exchange.attach(Accepted.class, accept(exchange));
            chain.proceed(exchange);
        };
    }

    private Accepted accept(Exchange exchange) {
        String modelId = BedrockModelIds.decode(exchange.pathParam("modelId"));
        if (modelId == null) {
            throw new HttpError(ApiError.invalidRequest(
                    "1 validation error detected: Value at 'modelId' failed to satisfy constraint: "
                            + "Member must be a model ID, an inference profile ID or an ARN"));
        }
        guard.check(null, modelId);
        exchange.model(catalog.anthropicIdOf(modelId));
        exchange.modelAsked(modelId);
        exchange.usage().upstreamModel(modelId);
        modelPolicy.check(exchange.principal(), modelId, exchange.model());
        return new Accepted(modelId);
    }

    public void operation(Exchange exchange, String operation) throws Exception {
        Accepted accepted = exchange.attachment(Accepted.class);
        String modelId = (accepted != null ? accepted : accept(exchange)).modelId();
        exchange.operation(operation);
        byte[] body = exchange.body();
        try (UpstreamResponse response =
                upstream.call(exchange, operation, modelId, body, forwardHeaders(exchange), exchange.model())) {
            copyHeaders(exchange, response);
            if (!response.ok()) {
                exchange.failed(response.error());
                exchange.send(response.status(), null, response.read());
                return;
            }
            exchange.usage().region(response.region());
            if (!operation.endsWith("-stream")) {
                byte[] answer = response.readAll();
                exchange.usage().tokenHeaders(response::header);
                if (operation.equals("invoke")) exchange.usage().messageBody(answer);
                else if (operation.equals("converse")) exchange.usage().converseBody(answer);
                exchange.send(200, null, answer);
                return;
            }
            StreamSink sink = exchange.startStream(
                    200,
                    response.header("content-type") == null
                            ? "application/vnd.amazon.eventstream"
                            : response.header("content-type"));
            StreamRelay.relay(exchange, response, sink, PASS_THROUGH, null, watchdog);
        }
    }

    /** Frames go out byte for byte; a broken upstream becomes an exception frame when a frame boundary allows it. */
    private static final StreamRelay.Dialect PASS_THROUGH = new StreamRelay.Dialect() {
        @Override
        public void translate(
                byte[] raw, int offset, int length, List<StreamRelay.Decoded> frames, ByteArrayOutputStream out) {
            out.write(raw, offset, length);
        }

        @Override
        public byte[] failure(String message, boolean atFrameBoundary) {
            if (!atFrameBoundary) return null;
            ApiError error = ApiError.internal(message);
            return EventStreamCodec.encode(EventStreamMessage.exception(
                    BedrockErrorTypes.streamMember(error.bedrockType()), ErrorBodies.bedrock(error)));
        }
    };

    private static Map<String, String> forwardHeaders(Exchange exchange) {
        Map<String, String> headers = new LinkedHashMap<>();
        for (HttpField field : exchange.headers()) {
            String name = field.getLowerCaseName();
            if (name.equals("content-type") || name.equals("accept") || name.startsWith("x-amzn-bedrock-"))
                headers.put(field.getName(), field.getValue());
        }
        return headers;
    }

    private static void copyHeaders(Exchange exchange, UpstreamResponse response) {
        for (String name : RESPONSE_HEADERS) {
            String value = response.header(name);
            if (value != null) exchange.setHeader(name, value);
        }
    }
}
