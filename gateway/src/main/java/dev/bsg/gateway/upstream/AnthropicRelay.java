package dev.bsg.gateway.upstream;

import dev.bsg.gateway.http.Exchange;
import dev.bsg.gateway.http.HttpError;
import dev.bsg.gateway.http.Interceptor;
import dev.bsg.protocol.errors.ApiError;
import dev.bsg.protocol.models.ModelCatalog;
import dev.bsg.protocol.models.ResolvedModel;
import dev.bsg.protocol.sse.Sse;
import dev.bsg.protocol.translate.BedrockChunks;
import dev.bsg.protocol.translate.ErrorBodies;
import dev.bsg.protocol.translate.InvalidRequestException;
import dev.bsg.protocol.translate.Json;
import dev.bsg.protocol.translate.MessagesRequest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.jetty.http.HttpField;

/** The Anthropic door: Messages requests translated to InvokeModel, answers translated back (SSE for streams). */
public final class AnthropicRelay {
    private final ModelCatalog catalog;
    private final BedrockUpstream upstream;
    private final Compatibility compatibility;
    private final StreamWatchdog watchdog;
    private final ModelPolicy modelPolicy;
    private final ModelGuard guard;

    public AnthropicRelay(
            ModelCatalog catalog,
            BedrockUpstream upstream,
            Compatibility compatibility,
            StreamWatchdog watchdog,
            ModelPolicy modelPolicy,
            ModelGuard guard) {
        this.modelPolicy = modelPolicy;
        this.guard = guard;
        this.catalog = catalog;
        this.upstream = upstream;
        this.compatibility = compatibility;
        this.watchdog = watchdog;
    }

    /** A request parsed, its model resolved and allowed to this caller. */
    record Accepted(MessagesRequest request, ResolvedModel model) {}

    /**
     * Parses the request and checks its model (catalog, guard, the caller's policy) before any limit counts it:
     * a request refused here costs the caller nothing.
     */
    public Interceptor authorise(boolean maxTokensRequired) {
        return (exchange, chain) -> {
            exchange.attach(Accepted.class, accept(exchange, maxTokensRequired));
            chain.proceed(exchange);
        };
    }

    private Accepted accepted(Exchange exchange, boolean maxTokensRequired) {
        Accepted accepted = exchange.attachment(Accepted.class);
        return accepted != null ? accepted : accept(exchange, maxTokensRequired);
    }

    private Accepted accept(Exchange exchange, boolean maxTokensRequired) {
        MessagesRequest request = parse(exchange, maxTokensRequired);
        return new Accepted(request, resolve(exchange, request.model()));
    }

    public void messages(Exchange exchange) throws Exception {
        Accepted accepted = accepted(exchange, true);
        MessagesRequest request = accepted.request();
        ResolvedModel model = accepted.model();
        String betaHeader = exchange.header("anthropic-beta");
        String operation = request.stream() ? "invoke-with-response-stream" : "invoke";
        exchange.operation(operation);
        Map<String, String> headers = BedrockHeaders.forward(exchange, request.stream());
        UpstreamResponse response;
        boolean retried = false;
        while (true) {
            byte[] body = request.toBedrockBody(
                    betaHeader,
                    compatibility.betasToDrop(model.bedrockId()),
                    compatibility.fieldsToDrop(model.bedrockId()));
            response = upstream.call(exchange, operation, model.bedrockId(), body, headers, model.anthropicId());
            // A 400 that names a beta or field the model refuses is retried once without it (and remembered).
            if (response.status() != 400
                    || retried
                    || !compatibility.learn(model.bedrockId(), response.error().message(), request, betaHeader)) break;
            retried = true;
        }
        if (!response.ok()) {
            exchange.sendError(response.error());
            return;
        }
        exchange.usage().region(response.region());
        if (!request.stream()) {
            byte[] message = response.readAll();
            exchange.usage().tokenHeaders(response::header);
            exchange.usage().messageBody(message);
            exchange.sendJson(200, message);
            return;
        }
        StreamRelay.relay(exchange, response, exchange.startStream(200, Sse.CONTENT_TYPE), SSE, Sse.PING, watchdog);
    }

    /** Each chunk frame becomes one SSE event; exception frames become {@code error} events. */
    private static final StreamRelay.Dialect SSE = new StreamRelay.Dialect() {
        @Override
        public void translate(
                byte[] raw, int offset, int length, List<StreamRelay.Decoded> frames, ByteArrayOutputStream out) {
            for (StreamRelay.Decoded decoded : frames) {
                byte[] event = BedrockChunks.toSse(decoded.frame(), decoded.eventJson(), decoded.eventType());
                if (event != null) out.writeBytes(event);
            }
        }

        @Override
        public byte[] failure(String message, boolean atFrameBoundary) {
            return ErrorBodies.sseError(ApiError.internal(message));
        }
    };

    public void countTokens(Exchange exchange) {
        Accepted accepted = accepted(exchange, false);
        MessagesRequest request = accepted.request();
        ResolvedModel model = accepted.model();
        byte[] invokeBody = request.toBedrockBody(
                exchange.header("anthropic-beta"),
                compatibility.betasToDrop(model.bedrockId()),
                compatibility.fieldsToDrop(model.bedrockId()));
        if (!request.keptFieldNames().contains("max_tokens")) {
            // CountTokens validates the wrapped body as an InvokeModel body, which requires max_tokens; it doesn't
            // change the count.
            String text = new String(invokeBody, StandardCharsets.UTF_8);
            invokeBody = (text.substring(0, text.length() - 1) + ",\"max_tokens\":1}").getBytes(StandardCharsets.UTF_8);
        }
        byte[] body = ("{\"input\":{\"invokeModel\":{\"body\":\""
                        + Base64.getEncoder().encodeToString(invokeBody) + "\"}}}")
                .getBytes(StandardCharsets.US_ASCII);
        try (UpstreamResponse response = upstream.call(
                exchange,
                "count-tokens",
                baseModelId(model.bedrockId()),
                body,
                Map.of("Content-Type", "application/json", "Accept", "application/json"),
                model.anthropicId())) {
            if (!response.ok()) {
                exchange.sendError(response.error());
                return;
            }
            int tokens =
                    Json.MAPPER.readTree(response.readAll()).path("inputTokens").asInt(-1);
            if (tokens < 0)
                throw new HttpError(ApiError.fromBedrock(
                        502, "InternalServerException", "Bedrock CountTokens answered without inputTokens"));
            exchange.sendJson(200, ("{\"input_tokens\":" + tokens + "}").getBytes(StandardCharsets.US_ASCII));
        } catch (IOException e) {
            throw new HttpError(
                    ApiError.unavailable("Bedrock CountTokens answer could not be read: " + e.getMessage()));
        }
    }

    /** CountTokens takes foundation-model IDs, not inference profiles. */
    static String baseModelId(String bedrockId) {
        int dot = bedrockId.indexOf('.');
        if (!bedrockId.startsWith("arn:")
                && dot > 0
                && ModelCatalog.KNOWN_PREFIXES.contains(bedrockId.substring(0, dot))) {
            return bedrockId.substring(dot + 1);
        }
        return bedrockId;
    }

    /** The request, refused before anything goes upstream when it lacks the version header or has the wrong shape. */
    private static MessagesRequest parse(Exchange exchange, boolean maxTokensRequired) {
        String version = exchange.header("anthropic-version");
        if (version == null || version.isBlank())
            throw new HttpError(ApiError.invalidRequest("anthropic-version: header is required"));
        try {
            MessagesRequest request = MessagesRequest.parse(exchange.body(), true);
            request.checkShape(maxTokensRequired);
            return request;
        } catch (InvalidRequestException e) {
            throw new HttpError(ApiError.invalidRequest(e.getMessage()));
        }
    }

    private ResolvedModel resolve(Exchange exchange, String name) {
        exchange.modelAsked(name);
        ResolvedModel model = catalog.resolve(name);
        if (model == null) {
            throw new HttpError(
                    ApiError.notFound("model: " + (name.length() > 100 ? name.substring(0, 100) + "…" : name)
                            + " is not a model this gateway serves"));
        }
        if (!model.fromCatalog())
            guard.check(name, model.bedrockId()); // an admin's catalog entry is trusted as configured
        exchange.model(model.anthropicId());
        exchange.usage().upstreamModel(model.bedrockId());
        modelPolicy.check(exchange.principal(), name, model.anthropicId());
        return model;
    }

    /** Which client headers travel to Bedrock: only Bedrock's own options, never credentials. */
    static final class BedrockHeaders {
        private BedrockHeaders() {}

        static Map<String, String> forward(Exchange exchange, boolean stream) {
            Map<String, String> headers = new LinkedHashMap<>();
            headers.put("Content-Type", "application/json");
            headers.put(stream ? "X-Amzn-Bedrock-Accept" : "Accept", "application/json");
            for (HttpField field : exchange.headers()) {
                String name = field.getLowerCaseName();
                if (name.startsWith("x-amzn-bedrock-") && !name.equals("x-amzn-bedrock-accept"))
                    headers.put(field.getName(), field.getValue());
            }
            return headers;
        }
    }
}
