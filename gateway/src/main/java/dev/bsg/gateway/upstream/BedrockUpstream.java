package dev.bsg.gateway.upstream;

import dev.bsg.gateway.http.Exchange;
import dev.bsg.gateway.http.HttpError;
import dev.bsg.gateway.settings.Settings;
import dev.bsg.gateway.settings.SettingsException;
import dev.bsg.gateway.telemetry.GatewayMetrics;
import dev.bsg.identity.TrustedCertificates;
import dev.bsg.protocol.errors.ApiError;
import dev.bsg.protocol.models.BedrockModelIds;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.UnresolvedAddressException;
import java.security.GeneralSecurityException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Flow;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Calls Bedrock Runtime: signs, sends with the JDK client, retries 429 / 5xx / connection failures
 * with jittered backoff and fails over across the configured regions, all before any byte reaches
 * the client (the caller only sees the response once its status is final).
 */
public final class BedrockUpstream {
    private static final Logger LOG = LoggerFactory.getLogger(BedrockUpstream.class);
    private static final Set<String> RESTRICTED = Set.of("host", "content-length", "connection", "expect", "upgrade");

    private final Settings.Upstream settings;
    private final UpstreamSigner signer;
    // Each client holds its own HTTP/2 connection per endpoint: when one is at the server's concurrent-stream
    // limit, a request goes over the next (made on first need), not over a new HTTP/1.1 connection of its own.
    private static final int MAX_HTTP2_CLIENTS = 64;
    private final HttpClient.Builder clientBuilder;
    private final AtomicReferenceArray<HttpClient> clients;
    private final GatewayMetrics metrics;
    private final OpenFiles openFiles = new OpenFiles();
    private volatile boolean http2Overflowed;
    private volatile int preferredClient;

    public BedrockUpstream(Settings.Upstream settings, UpstreamSigner signer, GatewayMetrics metrics) {
        this.settings = settings;
        this.signer = signer;
        this.metrics = metrics;
        HttpClient.Builder builder = HttpClient.newBuilder();
        if (settings.caBundle() != null) {
            try {
                builder.sslContext(TrustedCertificates.sslContext(settings.caBundle()));
            } catch (IOException | GeneralSecurityException e) {
                throw new SettingsException(
                        "upstream.ca_bundle",
                        settings.caBundle().toString(),
                        "use a PEM file of CA certificates (" + e.getMessage() + ")");
            }
        }
        this.clientBuilder = builder.connectTimeout(settings.connectTimeout())
                // Run the client's completion stages on its selector thread instead of handing each response to a pool
                // thread: the caller is a virtual thread blocked in send(), so the work is tiny and the handoff was
                // not.
                .executor(Runnable::run)
                .followRedirects(HttpClient.Redirect.NEVER);
        this.clients = new AtomicReferenceArray<>(MAX_HTTP2_CLIENTS);
        this.clients.set(0, clientBuilder.build());
    }

    public URI endpoint(String region) {
        if (settings.endpoint() != null) return settings.endpoint();
        return URI.create("https://bedrock-runtime." + region + ".amazonaws.com");
    }

    public List<String> regions() {
        return settings.regions();
    }

    public UpstreamSigner signer() {
        return signer;
    }

    /**
     * Sends one operation. Returns the final response: a streamed 200 with its body unread, anything
     * else read whole. Throws {@link HttpError} when no region could be reached at all. The time until the
     * response's headers (the whole answer when not streamed), retries and failover included, counts as the
     * exchange's upstream latency.
     */
    public UpstreamResponse call(
            Exchange exchange,
            String operation,
            String modelId,
            byte[] body,
            Map<String, String> headers,
            String modelForMetrics) {
        long sent = System.nanoTime();
        UpstreamResponse response = callRegions(operation, modelId, body, headers, modelForMetrics);
        exchange.addUpstreamNanos(System.nanoTime() - sent);
        return response;
    }

    private UpstreamResponse callRegions(
            String operation, String modelId, byte[] body, Map<String, String> headers, String modelForMetrics) {
        String path = "/model/" + BedrockModelIds.encode(modelId) + "/" + operation;
        UpstreamResponse last = null;
        IOException lastFailure = null;
        int attempt = 0;
        String previousRegion = null;
        for (String region : settings.regions()) {
            if (previousRegion != null) metrics.upstreamFailover(modelForMetrics, previousRegion, region);
            previousRegion = region;
            for (int tryInRegion = 0; tryInRegion <= settings.retries(); tryInRegion++, attempt++) {
                if (attempt > 0) backoff(attempt);
                try {
                    UpstreamResponse response =
                            send(endpoint(region), path, region, body, headers, operation.endsWith("-stream"));
                    if (!response.ok())
                        metrics.upstreamError(
                                modelForMetrics, region, response.error().bedrockType());
                    if (!retryable(response.status())) return response;
                    last = response;
                } catch (IOException e) {
                    if (OpenFiles.exhausted(e)) {
                        metrics.upstreamError(modelForMetrics, region, "OpenFilesExhausted");
                        openFiles.report();
                        throw new HttpError(ApiError.unavailable(OpenFiles.CLIENT_MESSAGE));
                    }
                    metrics.upstreamError(modelForMetrics, region, "ConnectionError");
                    LOG.warn("upstream {} in {} unreachable: {}", operation, region, e.toString());
                    lastFailure = e;
                    last = null;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new HttpError(ApiError.unavailable("interrupted while calling Bedrock"));
                }
            }
        }
        if (last != null) return last;
        throw new HttpError(
                ApiError.unavailable("Bedrock could not be reached in " + String.join(", ", settings.regions()) + ": "
                        + (lastFailure == null ? "no attempt made" : describe(lastFailure))));
    }

    /**
     * A streamed answer comes back with its body unread; any other is read whole by the client, in one wait instead
     * of one for the headers and another for the body.
     */
    private UpstreamResponse send(
            URI endpoint, String path, String region, byte[] body, Map<String, String> headers, boolean streamed)
            throws IOException, InterruptedException {
        URI uri = URI.create(endpoint + path); // the settings strip an endpoint's trailing slashes once, at load
        Map<String, String> toSign = new LinkedHashMap<>(headers);
        Map<String, List<String>> auth = signer.sign(uri, region, toSign, body);
        HttpRequest.Builder request = HttpRequest.newBuilder(uri)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .timeout(settings.readTimeout())
                .version(
                        settings.http2() && uri.getScheme().equals("https")
                                ? HttpClient.Version.HTTP_2
                                : HttpClient.Version.HTTP_1_1);
        for (Map.Entry<String, List<String>> header : auth.entrySet()) {
            if (RESTRICTED.contains(header.getKey().toLowerCase(Locale.ROOT))) continue;
            for (String value : header.getValue()) request.header(header.getKey(), value);
        }
        for (Map.Entry<String, String> header : headers.entrySet()) {
            if (!auth.containsKey(header.getKey())) request.setHeader(header.getKey(), header.getValue());
        }
        if (!streamed) {
            HttpResponse<byte[]> whole =
                    sendOverAnyConnection(request.build(), HttpResponse.BodyHandlers.ofByteArray());
            return new UpstreamResponse(whole.statusCode(), whole.headers(), null, whole.body(), region);
        }
        HttpResponse<Flow.Publisher<List<ByteBuffer>>> response =
                sendOverAnyConnection(request.build(), HttpResponse.BodyHandlers.ofPublisher());
        if (response.statusCode() == 200)
            return new UpstreamResponse(200, response.headers(), response.body(), null, region);
        byte[] errorBody = UpstreamResponse.readAll(response.body());
        return new UpstreamResponse(response.statusCode(), response.headers(), null, errorBody, region);
    }

    /**
     * The JDK client refuses a request outright ("too many concurrent streams") when its HTTP/2 connection is at
     * the server's concurrent-stream limit in a burst. Such a request goes over the next client's connection
     * (one more HTTP/2 connection, shared from then on); only with every client full does it go over HTTP/1.1
     * (same signature: the protocol is not signed). At 10,000 streams the HTTP/1.1 path alone meant a TLS
     * connection and a file per stream.
     */
    private <T> HttpResponse<T> sendOverAnyConnection(HttpRequest request, HttpResponse.BodyHandler<T> handler)
            throws IOException, InterruptedException {
        IOException refused = null;
        int first = preferredClient;
        for (int tried = 0; tried < MAX_HTTP2_CLIENTS; tried++) {
            int i = (first + tried) % MAX_HTTP2_CLIENTS;
            try {
                HttpResponse<T> response = client(i).send(request, handler);
                if (tried > 0) preferredClient = i; // where the last one found room, the next looks first
                return response;
            } catch (IOException e) {
                if (request.version().orElse(null) != HttpClient.Version.HTTP_2
                        || !String.valueOf(e.getMessage()).contains("too many concurrent streams")) throw e;
                metrics.upstreamHttp2Overflow();
                refused = e;
            }
        }
        if (!http2Overflowed) {
            http2Overflowed = true;
            LOG.info(
                    "Bedrock's {} HTTP/2 connections are at their concurrent-stream limit; requests beyond go over"
                            + " HTTP/1.1 ({})",
                    MAX_HTTP2_CLIENTS,
                    refused.getMessage());
        }
        HttpRequest overHttp11 = HttpRequest.newBuilder(request, (name, value) -> true)
                .version(HttpClient.Version.HTTP_1_1)
                .build();
        return client(0).send(overHttp11, handler);
    }

    private HttpClient client(int index) {
        HttpClient client = clients.get(index);
        if (client != null) return client;
        HttpClient made = clientBuilder.build();
        if (clients.compareAndSet(index, null, made)) return made;
        made.shutdownNow();
        return clients.get(index);
    }

    /** Closes the upstream connections; called after the server has drained. */
    public void close() {
        for (int i = 0; i < MAX_HTTP2_CLIENTS; i++) {
            HttpClient client = clients.get(i);
            if (client != null) client.shutdownNow();
        }
    }

    private static boolean retryable(int status) {
        return status == 429 || (status >= 500 && status != 501);
    }

    private void backoff(int attempt) {
        long base = settings.retryBaseDelay().toMillis();
        if (base == 0) return;
        long cap = Math.min(5_000, base << Math.min(attempt - 1, 10));
        try {
            Thread.sleep(ThreadLocalRandom.current().nextLong(cap / 2, cap + 1));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String describe(IOException e) {
        if (e instanceof HttpConnectTimeoutException) return "connecting timed out";
        if (e instanceof HttpTimeoutException) return "no response within upstream.read_timeout_ms";
        if (e instanceof ConnectException) return "connection refused";
        if (e.getCause() instanceof UnresolvedAddressException) {
            return "the endpoint's host name does not resolve";
        }
        return e.getMessage() == null ? "connection failed" : e.getMessage();
    }
}
