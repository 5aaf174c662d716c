package dev.bsg.gateway.http;

import dev.bsg.gateway.core.DatabaseFailures;
import dev.bsg.protocol.errors.ApiError;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.function.BooleanSupplier;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpHeaderValue;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.http.UriCompliance;
import org.eclipse.jetty.server.Handler.Abstract;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.server.handler.GracefulHandler;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Jetty 12 on virtual threads, dispatching every request through the {@link Router}. */
public final class HttpServer {
    private static final Logger LOG = LoggerFactory.getLogger(HttpServer.class);
    private final Server server;
    private static final int ACCEPT_QUEUE = 4096;

    private final ServerConnector connector;
    /** Health, readiness and metrics for operators, apart from the public port; null when not configured. */
    private final ServerConnector management;

    static final String MANAGEMENT = "management";
    private static final Set<String> MANAGEMENT_PATHS = Set.of("/healthz", "/readyz", "/metrics");

    /** Where a listener binds. */
    public record Endpoint(String host, int port) {}

    public HttpServer(
            String host,
            int port,
            Router router,
            long maxBodyBytes,
            Duration shutdownGrace,
            Duration idleTimeout,
            TrustedProxies proxies,
            Endpoint managementEndpoint,
            @Nullable TlsCertificates tls,
            BooleanSupplier draining) {
        QueuedThreadPool threads = new QueuedThreadPool(200, 2);
        threads.setName("gateway");
        threads.setVirtualThreadsExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server = new Server(threads);
        HttpConfiguration config = new HttpConfiguration();
        config.setSendServerVersion(false);
        config.setSendDateHeader(false);
        // Bedrock model IDs arrive with %2F and %3A inside one path segment; they must reach the router intact.
        config.setUriCompliance(UriCompliance.LEGACY);
        config.setRequestHeaderSize(64 * 1024);
        if (tls != null) {
            HttpConfiguration secure = new HttpConfiguration(config);
            SecureRequestCustomizer customizer = new SecureRequestCustomizer();
            customizer.setSniHostCheck(false); // clients reach it by any name the operator chose, or by address
            secure.addCustomizer(customizer);
            connector = new ServerConnector(
                    server,
                    1,
                    1,
                    new SslConnectionFactory(tls.factory(), HttpVersion.HTTP_1_1.asString()),
                    new HttpConnectionFactory(secure));
        } else {
            connector = new ServerConnector(server, 1, 1, new HttpConnectionFactory(config));
        }
        connector.setHost(host);
        connector.setPort(port);
        // Java's default listen backlog is 50: a burst of new streams (or a short pause) overflowed it, and each
        // dropped connection waited a second for the client's SYN retry. The kernel caps it at somaxconn.
        connector.setAcceptQueueSize(ACCEPT_QUEUE);
        // A connection idle between requests, or a client stalling while it sends headers or a body, is dropped
        // after server.idle_timeout_seconds (2,000 idle connections were held 10 minutes each before).
        connector.setIdleTimeout(idleTimeout.toMillis());
        server.addConnector(connector);
        if (managementEndpoint != null) {
            management = new ServerConnector(server, 1, 1, new HttpConnectionFactory(config));
            management.setName(MANAGEMENT);
            management.setHost(managementEndpoint.host());
            management.setPort(managementEndpoint.port());
            management.setIdleTimeout(idleTimeout.toMillis());
            server.addConnector(management);
        } else {
            management = null;
        }
        GracefulHandler graceful = new GracefulHandler(new Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                // While draining, every answer closes its connection, so a proxy holds no idle one to us when
                // the listener closes.
                if (draining.getAsBoolean())
                    response.getHeaders().put(HttpHeader.CONNECTION, HttpHeaderValue.CLOSE.asString());
                dispatch(router, request, response, callback, maxBodyBytes, proxies);
                return true;
            }
        });
        server.setHandler(graceful);
        server.setErrorHandler(new JsonErrors());
        server.setStopTimeout(shutdownGrace.toMillis());
        server.setStopAtShutdown(false);
    }

    private static void dispatch(
            Router router,
            Request request,
            Response response,
            Callback callback,
            long maxBodyBytes,
            TrustedProxies proxies) {
        // While a handler waits on the upstream (minutes for a long answer) the connection is quiet but busy: the
        // upstream read timeout and the stream watchdog bound that wait, not the connection's idle timeout.
        request.addIdleTimeoutListener(timeout -> false);
        String path = request.getHttpURI().getPath();
        // The management port answers only the operators' endpoints: it is no second way in to the API.
        Router.Match match = Exchange.onManagementPort(request) && !MANAGEMENT_PATHS.contains(path)
                ? new Router.Match(null, Map.of(), false)
                : router.match(request.getMethod(), path);
        Door door = match.route() == null ? Router.doorOf(path) : match.route().door();
        String requestId = RequestIds.next();
        Exchange exchange =
                new Exchange(request, response, callback, door, match.params(), requestId, maxBodyBytes, proxies);
        exchange.setHeader("request-id", requestId);
        try {
            if (match.route() == null) {
                exchange.sendError(
                        match.pathKnown()
                                ? ApiError.methodNotAllowed(
                                        "method " + request.getMethod() + " is not allowed on " + path)
                                : ApiError.notFound("no such endpoint: " + request.getMethod() + " " + path));
                return;
            }
            match.route().chain().proceed(exchange);
        } catch (HttpError e) {
            if (!exchange.isCommitted()) exchange.sendError(e.error());
            else exchange.abort(e);
        } catch (Throwable e) {
            boolean unavailable = DatabaseFailures.unreachable(e);
            if (unavailable)
                LOG.warn(
                        "request {} {} ({}): the database is unavailable ({})",
                        request.getMethod(),
                        path,
                        requestId,
                        e.getMessage());
            else LOG.error("request {} {} failed ({})", request.getMethod(), path, requestId, e);
            if (exchange.isCommitted()) {
                exchange.abort(e);
            } else if (unavailable) {
                exchange.setHeader("retry-after", "5");
                exchange.sendError(ApiError.unavailable(
                        "the gateway's database is unavailable; retry in a few seconds (request id " + requestId
                                + ")"));
            } else {
                exchange.sendError(ApiError.internal("internal error; quote request id " + requestId));
            }
        } finally {
            exchange.whenDone(() -> {
                if (!exchange.isCompleted()) exchange.complete();
                AccessLog.record(
                        exchange,
                        match.route() == null ? "(none)" : match.route().pattern());
            });
        }
    }

    public void start() throws Exception {
        server.start();
    }

    /** The management port, or -1 without one. */
    public int managementPort() {
        return management == null ? -1 : management.getLocalPort();
    }

    public int port() {
        return connector.getLocalPort();
    }

    /** Stops accepting, lets in-flight requests (streams too) finish up to the grace period, then stops. */
    public void stop() throws Exception {
        server.stop();
    }
}
