package dev.bsg.gateway.http;

import dev.bsg.gateway.core.Principal;
import dev.bsg.gateway.core.Usage;
import dev.bsg.protocol.errors.ApiError;
import dev.bsg.protocol.translate.ErrorBodies;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Blocker;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One request and its response, as the handlers and interceptors see it. Runs on a virtual thread. */
public final class Exchange {
    private static final Logger LOG = LoggerFactory.getLogger(Exchange.class);
    private static final String UPSTREAM_RETRY_AFTER_SECONDS = "2";
    private final Request request;
    private final Response response;
    private final Callback callback;
    private final Door door;
    private final Map<String, String> pathParams;
    private final String requestId;
    private final long startNanos = System.nanoTime();
    private final long maxBodyBytes;
    private Principal principal;
    private String model = "-";
    private int status;
    private long firstByteNanos;
    private long upstreamNanos;
    private volatile boolean completed;
    private boolean handedOff;
    private boolean over;
    private List<Runnable> doneSteps;
    private boolean bodyRead;
    private String operation;
    private String modelAsked;
    private String errorType;
    private final Usage usage = new Usage();
    /** What one link of the chain worked out for a later one (the parsed request, say), by its type. */
    private final Map<Class<?>, Object> attachments = new HashMap<>(2);

    private final TrustedProxies proxies;
    private TrustedProxies.Client client;

    private final List<Runnable> lastByteActions = new CopyOnWriteArrayList<>();
    private volatile boolean lastByteActionsRun;

    Exchange(
            Request request,
            Response response,
            Callback callback,
            Door door,
            Map<String, String> pathParams,
            String requestId,
            long maxBodyBytes,
            TrustedProxies proxies) {
        this.request = request;
        this.proxies = proxies;
        this.response = response;
        this.callback = callback;
        this.door = door;
        this.pathParams = pathParams;
        this.requestId = requestId;
        this.maxBodyBytes = maxBodyBytes;
    }

    public Door door() {
        return door;
    }

    public String method() {
        return request.getMethod();
    }

    public String path() {
        return request.getHttpURI().getPath();
    }

    public String pathParam(String name) {
        return pathParams.get(name);
    }

    public String query(String name) {
        Fields.Field field = queryFields().get(name);
        return field == null ? null : field.getValue();
    }

    /** Every value of a repeated query parameter, such as {@code user_ids[]}. */
    public List<String> queryAll(String name) {
        Fields.Field field = queryFields().get(name);
        return field == null ? List.of() : field.getValues();
    }

    /** The query's parameters; one that isn't UTF-8 percent-encoding, or holds a NUL, is a 400 rather than a failure further in. */
    private Fields queryFields() {
        Fields fields;
        try {
            fields = Request.extractQueryParameters(request);
        } catch (RuntimeException e) {
            throw new HttpError(ApiError.invalidRequest("the query string is not valid UTF-8 percent-encoding"));
        }
        for (Fields.Field field : fields) {
            for (String value : field.getValues()) {
                if (value.indexOf('\0') >= 0 || field.getName().indexOf('\0') >= 0) {
                    throw new HttpError(ApiError.invalidRequest(
                            "query parameter " + field.getName().replace("\0", "") + ": must not contain NUL"));
                }
            }
        }
        return fields;
    }

    public String header(String name) {
        return request.getHeaders().get(name);
    }

    public Iterable<HttpField> headers() {
        return request.getHeaders();
    }

    /** The client's address: the connection's, or what trusted proxies forwarded ({@code server.trusted_proxies}). */
    public String clientIp() {
        return client().address();
    }

    /** Whether this request came in on the management port (health, readiness, metrics for operators). */
    public boolean onManagementPort() {
        return onManagementPort(request);
    }

    static boolean onManagementPort(Request request) {
        return HttpServer.MANAGEMENT.equals(
                request.getConnectionMetaData().getConnector().getName());
    }

    /** Whether the client reached the gateway (or its first trusted proxy) over TLS. */
    public boolean https() {
        return client().https();
    }

    /**
     * Every field of a list header as one list: a proxy may add its own X-Forwarded-For field rather than append
     * to the client's (HAProxy's option forwardfor does), and reading only the first would believe the client.
     */
    private String allOf(String name) {
        List<String> values = request.getHeaders().getValuesList(name);
        return values.isEmpty() ? null : String.join(", ", values);
    }

    private TrustedProxies.Client client() {
        if (client == null) {
            String remote = Request.getRemoteAddr(request);
            if (remote.startsWith("[") && remote.endsWith("]")) remote = remote.substring(1, remote.length() - 1);
            client = proxies.isEmpty()
                    ? new TrustedProxies.Client(remote, request.isSecure())
                    : proxies.client(
                            remote,
                            request.isSecure(),
                            allOf("Forwarded"),
                            allOf("X-Forwarded-For"),
                            allOf("X-Forwarded-Proto"));
        }
        return client;
    }

    public String requestId() {
        return requestId;
    }

    public long startNanos() {
        return startNanos;
    }

    public Principal principal() {
        return principal;
    }

    public void principal(Principal principal) {
        this.principal = principal;
    }

    public String model() {
        return model;
    }

    public void model(String model) {
        this.model = model;
    }

    public int status() {
        return status;
    }

    /** What the upstream accounted for this request, filled in by the relays. */
    public Usage usage() {
        return usage;
    }

    /** The Bedrock operation this request became (invoke, converse-stream, ...); null for non-inference requests. */
    public String operation() {
        return operation;
    }

    public void operation(String operation) {
        this.operation = operation;
    }

    public <T> void attach(Class<T> type, T value) {
        attachments.put(type, value);
    }

    /** What an earlier link attached under this type, or null. */
    public <T> T attachment(Class<T> type) {
        return type.cast(attachments.get(type));
    }

    public String modelAsked() {
        return modelAsked;
    }

    public void modelAsked(String modelAsked) {
        this.modelAsked = modelAsked;
    }

    /** The error type answered, in the door's dialect; null on success. */
    public String errorType() {
        return errorType;
    }

    /** Time spent waiting for Bedrock's response headers, retries and failover included. */
    public long upstreamNanos() {
        return upstreamNanos;
    }

    public void addUpstreamNanos(long nanos) {
        upstreamNanos += nanos;
    }

    public long bytesRead() {
        return Request.getContentBytesRead(request);
    }

    public long bytesWritten() {
        return Response.getContentBytesWritten(response);
    }

    /** Nanos from arrival to the first response byte, or -1 when nothing was sent yet. */
    public long timeToFirstByteNanos() {
        return firstByteNanos == 0 ? -1 : firstByteNanos - startNanos;
    }

    /** The whole body, refused with 413 above the configured size and 400 when it can't be read. */
    public byte[] body() {
        long declared = request.getLength();
        if (declared > maxBodyBytes)
            throw new HttpError(ApiError.tooLarge(
                    "request body of " + declared + " bytes exceeds the limit of " + maxBodyBytes + " bytes"));
        bodyRead = true;
        try (InputStream in = Content.Source.asInputStream(request)) {
            byte[] body = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBodyBytes + 1));
            if (body.length > maxBodyBytes)
                throw new HttpError(ApiError.tooLarge("request body exceeds the limit of " + maxBodyBytes + " bytes"));
            return body;
        } catch (IOException e) {
            throw new HttpError(ApiError.invalidRequest("request body could not be read: " + e.getMessage()));
        }
    }

    public void setHeader(String name, String value) {
        response.getHeaders().put(name, value);
    }

    /** Adds a header beside any of the same name (several Set-Cookie). */
    public void addHeader(String name, String value) {
        response.getHeaders().add(name, value);
    }

    public boolean isCommitted() {
        return response.isCommitted();
    }

    public void send(int status, String contentType, byte[] body) {
        this.status = status;
        discardUnreadBody();
        response.setStatus(status);
        if (contentType != null) response.getHeaders().put(HttpHeader.CONTENT_TYPE, contentType);
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
        markFirstByte();
        lastByteNext();
        try (Blocker.Callback blocker = Blocker.callback()) {
            response.write(true, ByteBuffer.wrap(body), blocker);
            blocker.block();
        } catch (IOException e) {
            // the client went away; nothing more to tell it
        }
        complete();
    }

    public void sendJson(int status, byte[] json) {
        send(status, "application/json", json);
    }

    public void sendEmpty(int status) {
        send(status, null, new byte[0]);
    }

    /**
     * A response sent before the body was read (an auth failure, a 404) must still drain it, or the
     * connection can't be reused and a client that pipelines the next request on it sees it cut.
     */
    private void discardUnreadBody() {
        if (bodyRead) return;
        bodyRead = true;
        // Clients still sending a refused body would see a reset instead of our answer; drain a bounded amount.
        long drainLimit = Math.min(64L * 1024 * 1024, Math.max(2 * maxBodyBytes, 1024 * 1024));
        if (request.getLength() > drainLimit) {
            response.getHeaders().put(HttpHeader.CONNECTION, "close");
            return;
        }
        try (InputStream in = Content.Source.asInputStream(request)) {
            byte[] sink = new byte[16 * 1024];
            long drained = 0;
            int n;
            while (drained <= drainLimit && (n = in.read(sink)) >= 0) drained += n;
            if (drained > drainLimit) response.getHeaders().put(HttpHeader.CONNECTION, "close");
        } catch (IOException e) {
            response.getHeaders().put(HttpHeader.CONNECTION, "close");
        }
    }

    /** Notes the error this exchange ended with, in the door's dialect, for metering (a stream cut midway, a relayed upstream error). */
    public void failed(ApiError error) {
        errorType = door == Door.BEDROCK ? error.bedrockType() : error.anthropicType();
    }

    /** The error in this door's envelope: Anthropic's JSON, or Bedrock's header and {@code {"message"}}. */
    public void sendError(ApiError error) {
        failed(error);
        if (door == Door.BEDROCK) {
            setHeader("X-Amzn-Errortype", error.bedrockType());
            sendJson(error.bedrockStatus(), ErrorBodies.bedrock(error));
        } else {
            if (error.anthropicStatus() == 401) setHeader("x-should-retry", "false");
            // Anthropic's API says when to come back on 429 and 529; an upstream throttle carries no such hint of its
            // own.
            if ((error.anthropicStatus() == 429 || error.anthropicStatus() == 529)
                    && !response.getHeaders().contains("retry-after")) {
                setHeader("retry-after", UPSTREAM_RETRY_AFTER_SECONDS);
            }
            sendJson(error.anthropicStatus(), ErrorBodies.anthropic(error, requestId));
        }
    }

    /** Starts a streamed response; the returned sink writes and flushes as the handler goes. */
    public StreamSink startStream(int status, String contentType) {
        this.status = status;
        discardUnreadBody();
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, contentType);
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-cache");
        return new StreamSink(response::write, this::markFirstByte, this::lastByteNext);
    }

    private void markFirstByte() {
        if (firstByteNanos == 0) firstByteNanos = System.nanoTime();
    }

    public void complete() {
        if (completed) return;
        lastByteNext();
        completed = true;
        callback.succeeded();
    }

    /** Ends the response abruptly (the client sees a cut connection, not a clean end). */
    public void abort(Throwable cause) {
        if (completed) return;
        lastByteNext();
        completed = true;
        callback.failed(cause);
    }

    /**
     * Runs {@code action} once, just before the response's last byte is handed to the connection (or it is
     * cut): what the client's next request must already find done, such as a concurrency slot given back.
     */
    public void beforeLastByte(Runnable action) {
        lastByteActions.add(action);
    }

    private void lastByteNext() {
        if (lastByteActionsRun) return;
        lastByteActionsRun = true;
        for (Runnable action : lastByteActions) {
            try {
                action.run();
            } catch (RuntimeException e) {
                // an action's own failure must not keep the answer from the client
            }
        }
    }

    boolean isCompleted() {
        return completed;
    }

    /**
     * Runs {@code step} once the exchange is over: at once, unless the handler has {@link #handOff handed}
     * its answer off to finish later, then when it has. Interceptors do their afterwards here (metering,
     * limits, metrics), in the order they would have unwound.
     */
    public void whenDone(Runnable step) {
        synchronized (this) {
            if (handedOff && !over) {
                if (doneSteps == null) doneSteps = new ArrayList<>(4);
                doneSteps.add(step);
                return;
            }
        }
        step.run();
    }

    /**
     * The handler returns before the answer is over (a stream relayed by callbacks): no thread waits for it,
     * which would hold a parked virtual thread's stack per open stream. Whoever ends it calls {@link #over()}.
     */
    public void handOff() {
        synchronized (this) {
            handedOff = true;
        }
    }

    /** A handed-off exchange is over: the steps queued meanwhile run, in order, on a virtual thread of their own. */
    public void over() {
        List<Runnable> steps;
        synchronized (this) {
            over = true;
            steps = doneSteps;
            doneSteps = null;
        }
        if (steps == null) return;
        Thread.ofVirtual().name("exchange-done").start(() -> {
            for (Runnable step : steps) {
                try {
                    step.run();
                } catch (RuntimeException e) {
                    LOG.error("request {}: a step after the answer failed", requestId, e);
                }
            }
        });
    }
}
