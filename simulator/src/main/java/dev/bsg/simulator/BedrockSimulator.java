package dev.bsg.simulator;

import dev.bsg.protocol.errors.ApiError;
import dev.bsg.protocol.eventstream.EventStreamCodec;
import dev.bsg.protocol.eventstream.EventStreamMessage;
import dev.bsg.protocol.translate.BedrockChunks;
import dev.bsg.protocol.translate.ErrorBodies;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;

/**
 * A stand-in for Amazon Bedrock Runtime: the five Claude operations with real event-stream
 * framing, SigV4 or bearer authentication, scripted replies, pacing and faults. Tests, the
 * demo mode and the benchmarks run against it.
 */
public final class BedrockSimulator implements AutoCloseable {
    public static final String ACCESS_KEY = "AKIDBSGSIMULATOR0001";
    public static final String SECRET_KEY = "bsg-simulator-secret-not-a-real-aws-key";
    public static final String BEARER_TOKEN = "bedrock-api-key-bsg-simulator";
    private static final Pattern PATH = Pattern.compile(
            "^/model/([^/]+)/(invoke|invoke-with-response-stream|converse|converse-stream|count-tokens)$");

    private final Server server;
    private final SigV4Verifier verifier;
    private final Map<Pattern, Reply> scripts = new ConcurrentHashMap<>();
    private final Deque<Fault> faults = new ConcurrentLinkedDeque<>();
    private final Deque<ReceivedRequest> received = new ConcurrentLinkedDeque<>();
    private final Set<String> rejectedBetas = ConcurrentHashMap.newKeySet();
    private final Set<String> rejectedFields = ConcurrentHashMap.newKeySet();
    private final AtomicLong sequence = new AtomicLong();
    private final AtomicLong abandonedStreams = new AtomicLong();
    private volatile Reply defaultReply = Reply.text("Hello from the Bedrock simulator.");
    private volatile boolean recording = true;

    private final SelfSignedCertificate tls;

    public BedrockSimulator(String host, int port) {
        this(host, port, null, 0);
    }

    /**
     * With a certificate, the simulator is an HTTPS endpoint offering HTTP/2, like Bedrock itself, with
     * at most {@code maxStreams} concurrent streams on one connection.
     */
    public BedrockSimulator(String host, int port, SelfSignedCertificate tls, int maxStreams) {
        this.tls = tls;
        server = SimulatorServer.create("simulator", host, port, tls, maxStreams, this::serve);
        // Its own static key, and any temporary credentials the federation simulator issued in this process.
        verifier = new SigV4Verifier(
                key -> key.equals(ACCESS_KEY) ? SECRET_KEY : IssuedCredentials.secretOf(key), "bedrock");
    }

    public static BedrockSimulator start() {
        return start("127.0.0.1", 0);
    }

    public static BedrockSimulator start(String host, int port) {
        return start(new BedrockSimulator(host, port));
    }

    /** An HTTPS simulator with a throwaway certificate; {@link #certificate()} is what clients must trust. */
    public static BedrockSimulator startTls() {
        return startTls(1024);
    }

    public static BedrockSimulator startTls(int maxConcurrentStreams) {
        return startTls("127.0.0.1", 0, maxConcurrentStreams);
    }

    public static BedrockSimulator startTls(String host, int port, int maxConcurrentStreams) {
        return start(new BedrockSimulator(host, port, SelfSignedCertificate.create(), maxConcurrentStreams));
    }

    private static BedrockSimulator start(BedrockSimulator simulator) {
        SimulatorServer.start(simulator.server, "simulator");
        return simulator;
    }

    public int port() {
        return ((ServerConnector) server.getConnectors()[0]).getLocalPort();
    }

    public String endpoint() {
        return (tls == null ? "http" : "https") + "://127.0.0.1:" + port();
    }

    /** The certificate an HTTPS simulator presents, or null. */
    public SelfSignedCertificate certificate() {
        return tls;
    }

    /** The gateway settings (as {@code BSG_*} variables) that point a gateway at this simulator. */
    public Map<String, String> gatewayEnvironment() {
        Map<String, String> env = new HashMap<>(Map.of(
                "BSG_UPSTREAM__ENDPOINT",
                endpoint(),
                "BSG_UPSTREAM__CREDENTIALS",
                "static",
                "BSG_UPSTREAM__ACCESS_KEY_ID",
                ACCESS_KEY,
                "BSG_UPSTREAM__SECRET_ACCESS_KEY",
                SECRET_KEY));
        if (tls != null) env.put("BSG_UPSTREAM__CA_BUNDLE", tls.pem().toString());
        return Map.copyOf(env);
    }

    /** Replies to models whose ID matches the regular expression. */
    public BedrockSimulator script(String modelIdRegex, Reply reply) {
        scripts.put(Pattern.compile(modelIdRegex), reply);
        return this;
    }

    public BedrockSimulator defaultReply(Reply reply) {
        this.defaultReply = reply;
        return this;
    }

    /** The next requests fail with these faults, one each, in order. */
    public BedrockSimulator failNext(Fault... next) {
        Collections.addAll(faults, next);
        return this;
    }

    /** Betas this "model" refuses with Bedrock's {@code invalid beta flag} wording. */
    public BedrockSimulator rejectBetas(String... betas) {
        Collections.addAll(rejectedBetas, betas);
        return this;
    }

    /** Body fields this "model" refuses with the Anthropic API's {@code Extra inputs are not permitted} wording. */
    public BedrockSimulator rejectFields(String... fields) {
        Collections.addAll(rejectedFields, fields);
        return this;
    }

    /** Benchmarks turn recording off so memory stays flat. */
    public BedrockSimulator recording(boolean on) {
        this.recording = on;
        return this;
    }

    /** Streams whose reader hung up before the last frame (the gateway cancelling when its client left). */
    public long abandonedStreams() {
        return abandonedStreams.get();
    }

    public List<ReceivedRequest> received() {
        return new ArrayList<>(received);
    }

    public ReceivedRequest lastRequest() {
        return received.peekLast();
    }

    public void reset() {
        received.clear();
        faults.clear();
        scripts.clear();
        rejectedBetas.clear();
        rejectedFields.clear();
        defaultReply = Reply.text("Hello from the Bedrock simulator.");
    }

    @Override
    public void close() {
        try {
            server.stop();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private void serve(Request request, Response response, Callback callback) throws Exception {
        String path = request.getHttpURI().getPath();
        Matcher m = PATH.matcher(path);
        Map<String, List<String>> headers = SimulatorServer.headers(request);
        byte[] body = Content.Source.asInputStream(request).readAllBytes();
        if (!m.matches() || !request.getMethod().equals("POST")) {
            String problem = "Unknown operation " + request.getMethod() + " " + path;
            record(new ReceivedRequest(
                    request.getMethod(),
                    path,
                    null,
                    null,
                    headers,
                    body,
                    problem,
                    request.getConnectionMetaData().getProtocol()));
            sendError(
                    response,
                    callback,
                    new ApiError(404, "not_found_error", 404, "UnknownOperationException", problem));
            return;
        }
        String modelId = URLDecoder.decode(m.group(1), StandardCharsets.UTF_8);
        String operation = m.group(2);
        String authProblem = authenticate(request, headers, body);
        record(new ReceivedRequest(
                "POST",
                path,
                operation,
                modelId,
                headers,
                body,
                authProblem,
                request.getConnectionMetaData().getProtocol()));
        if (authProblem != null) {
            sendError(
                    response,
                    callback,
                    new ApiError(403, "permission_error", 403, "UnrecognizedClientException", authProblem));
            return;
        }
        Fault fault = faults.pollFirst();
        if (fault != null && sendFaultBeforeReply(fault, response, callback)) return;
        Reply reply = replyFor(modelId);
        switch (operation) {
            case "count-tokens" -> countTokens(body, response, callback);
            case "invoke", "invoke-with-response-stream" ->
                invoke(operation, modelId, body, reply, fault, response, callback);
            default -> converse(operation, body, reply, fault, response, callback);
        }
    }

    private String authenticate(Request request, Map<String, List<String>> headers, byte[] body) {
        String authorization = request.getHeaders().get(HttpHeader.AUTHORIZATION);
        if (authorization == null) return "Missing Authentication Token";
        if (authorization.startsWith("Bearer ")) {
            return authorization.substring(7).equals(BEARER_TOKEN)
                    ? null
                    : "Invalid API Key format: Must start with pre-defined prefix";
        }
        String pathAndQuery = request.getHttpURI().getPath()
                + (request.getHttpURI().getQuery() == null
                        ? ""
                        : "?" + request.getHttpURI().getQuery());
        return verifier.verify(request.getMethod(), pathAndQuery, headers, body);
    }

    private boolean sendFaultBeforeReply(Fault fault, Response response, Callback callback) {
        ApiError error = switch (fault) {
            case THROTTLE ->
                ApiError.fromBedrock(429, "ThrottlingException", "Too many tokens, please wait before trying again.");
            case SERVER_ERROR ->
                ApiError.fromBedrock(
                        500,
                        "InternalServerException",
                        "The server encountered an internal error while processing the request.");
            case UNAVAILABLE ->
                ApiError.fromBedrock(503, "ServiceUnavailableException", "Bedrock is unable to process your request.");
            default -> null;
        };
        if (error == null) return false;
        sendError(response, callback, error);
        return true;
    }

    private Reply replyFor(String modelId) {
        for (Map.Entry<Pattern, Reply> script : scripts.entrySet()) {
            if (script.getKey().matcher(modelId).find()) return script.getValue();
        }
        return defaultReply;
    }

    private void invoke(
            String operation,
            String modelId,
            byte[] body,
            Reply reply,
            Fault fault,
            Response response,
            Callback callback)
            throws Exception {
        String invalid = SimulatedModel.validateInvokeBody(modelId, body, rejectedBetas, rejectedFields);
        if (invalid != null) {
            sendError(response, callback, ApiError.fromBedrock(400, "ValidationException", invalid));
            return;
        }
        String id = "msg_bdrk_" + Long.toString(sequence.incrementAndGet() + 1_000_000L, 36);
        AnthropicReply rendered =
                new AnthropicReply(reply, id, SimulatedModel.anthropicName(modelId), SimulatedModel.inputTokens(body));
        pause(reply.firstByte());
        if (operation.equals("invoke")) {
            response.getHeaders()
                    .put("X-Amzn-Bedrock-Input-Token-Count", Integer.toString(SimulatedModel.inputTokens(body)));
            response.getHeaders().put("X-Amzn-Bedrock-Output-Token-Count", Integer.toString(reply.outputTokens()));
            response.getHeaders()
                    .put(
                            "X-Amzn-Bedrock-Invocation-Latency",
                            Long.toString(reply.firstByte().toMillis() + 5));
            if (reply.cacheReadTokens() > 0)
                response.getHeaders()
                        .put("X-Amzn-Bedrock-Cache-Read-Input-Token-Count", Integer.toString(reply.cacheReadTokens()));
            if (reply.cacheWriteTokens() > 0)
                response.getHeaders()
                        .put(
                                "X-Amzn-Bedrock-Cache-Write-Input-Token-Count",
                                Integer.toString(reply.cacheWriteTokens()));
            sendJson(response, callback, 200, rendered.message());
            return;
        }
        List<EventStreamMessage> frames = new ArrayList<>();
        for (byte[] event : rendered.events()) frames.add(BedrockChunks.chunk(event));
        stream(frames, reply, fault, response, callback);
    }

    private void converse(String operation, byte[] body, Reply reply, Fault fault, Response response, Callback callback)
            throws Exception {
        ConverseReply rendered = new ConverseReply(reply, SimulatedModel.inputTokens(body));
        pause(reply.firstByte());
        if (operation.equals("converse")) {
            sendJson(response, callback, 200, rendered.response());
        } else {
            stream(rendered.events(), reply, fault, response, callback);
        }
    }

    private void countTokens(byte[] body, Response response, Callback callback) {
        Integer tokens = SimulatedModel.countTokens(body);
        if (tokens == null) {
            sendError(
                    response,
                    callback,
                    ApiError.fromBedrock(
                            400,
                            "ValidationException",
                            "1 validation error detected: Value at 'input' failed to satisfy constraint: Member must not be null"));
            return;
        }
        sendJson(response, callback, 200, ("{\"inputTokens\":" + tokens + "}").getBytes(StandardCharsets.US_ASCII));
    }

    private void stream(List<EventStreamMessage> frames, Reply reply, Fault fault, Response response, Callback callback)
            throws Exception {
        response.setStatus(200);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/vnd.amazon.eventstream");
        response.getHeaders().put("X-Amzn-Bedrock-Content-Type", "application/json");
        response.getHeaders().put("x-amzn-RequestId", UUID.randomUUID().toString());
        OutputStream out = Content.Sink.asOutputStream(response);
        int faultAfter = Math.min(2, frames.size() - 1);
        for (int i = 0; i < frames.size(); i++) {
            if (i == faultAfter && fault != null) {
                switch (fault) {
                    case RESET_MID_STREAM -> {
                        out.flush();
                        callback.failed(new IOException("simulated connection reset"));
                        return;
                    }
                    case STREAM_EXCEPTION -> {
                        out.write(EventStreamCodec.encode(EventStreamMessage.exception(
                                "modelStreamErrorException",
                                "{\"message\":\"The model stream was interrupted.\",\"originalStatusCode\":500,\"originalMessage\":\"boom\"}"
                                        .getBytes(StandardCharsets.UTF_8))));
                        out.close();
                        callback.succeeded();
                        return;
                    }
                    case SILENCE -> pause(reply.silence());
                    default -> {}
                }
            }
            if (i > 0) pause(reply.gap());
            try {
                out.write(EventStreamCodec.encode(frames.get(i)));
                out.flush();
            } catch (IOException hungUp) {
                abandonedStreams.incrementAndGet();
                callback.failed(hungUp);
                return;
            }
        }
        out.close();
        callback.succeeded();
    }

    private void sendError(Response response, Callback callback, ApiError error) {
        response.getHeaders()
                .put("X-Amzn-Errortype", error.bedrockType() + ":http://internal.amazon.com/coral/com.amazon.bedrock/");
        sendJson(response, callback, error.bedrockStatus(), ErrorBodies.bedrock(error));
    }

    private static void sendJson(Response response, Callback callback, int status, byte[] json) {
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        response.getHeaders().put("x-amzn-RequestId", UUID.randomUUID().toString());
        response.write(true, ByteBuffer.wrap(json), callback);
    }

    private void record(ReceivedRequest request) {
        if (!recording) return;
        received.addLast(request);
        while (received.size() > 1000) received.pollFirst();
    }

    private static void pause(Duration duration) throws InterruptedException {
        if (!duration.isZero()) Thread.sleep(duration);
    }
}
