package dev.bsg.simulator;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import org.eclipse.jetty.alpn.server.ALPNServerConnectionFactory;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.UriCompliance;
import org.eclipse.jetty.http2.server.HTTP2ServerConnectionFactory;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/** The Jetty server every stand-in runs on: virtual threads, paths taken as AWS sends them, one handler. */
final class SimulatorServer {
    /** What a stand-in does with each request. */
    interface Service {
        void serve(Request request, Response response, Callback callback) throws Exception;
    }

    private SimulatorServer() {}

    static Server create(String name, String host, int port, Service service) {
        return create(name, host, port, null, 0, service);
    }

    /**
     * With a certificate, it speaks TLS and offers HTTP/2 and HTTP/1.1 by ALPN, as AWS endpoints do,
     * taking up to {@code maxStreams} concurrent streams on one HTTP/2 connection.
     */
    static Server create(
            String name, String host, int port, SelfSignedCertificate tls, int maxStreams, Service service) {
        QueuedThreadPool threads = new QueuedThreadPool(256, 4);
        threads.setName(name);
        threads.setVirtualThreadsExecutor(Executors.newVirtualThreadPerTaskExecutor());
        Server server = new Server(threads);
        HttpConfiguration http = new HttpConfiguration();
        http.setUriCompliance(UriCompliance.LEGACY);
        http.setSendServerVersion(false);
        ServerConnector connector;
        if (tls == null) {
            connector = new ServerConnector(server, 1, 1, new HttpConnectionFactory(http));
        } else {
            http.addCustomizer(new SecureRequestCustomizer(false));
            SslContextFactory.Server ssl = new SslContextFactory.Server();
            ssl.setKeyStorePath(tls.keystore().toString());
            ssl.setKeyStorePassword(tls.password());
            ssl.setKeyStoreType("PKCS12");
            HTTP2ServerConnectionFactory h2 = new HTTP2ServerConnectionFactory(http);
            h2.setMaxConcurrentStreams(maxStreams);
            ALPNServerConnectionFactory alpn = new ALPNServerConnectionFactory("h2", "http/1.1");
            alpn.setDefaultProtocol("http/1.1");
            connector = new ServerConnector(
                    server,
                    1,
                    1,
                    new SslConnectionFactory(ssl, alpn.getProtocol()),
                    alpn,
                    h2,
                    new HttpConnectionFactory(http));
        }
        connector.setHost(host);
        connector.setPort(port);
        connector.setAcceptQueueSize(4096); // benchmarks open a thousand streams a second
        server.addConnector(connector);
        server.setHandler(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) throws Exception {
                service.serve(request, response, callback);
                return true;
            }
        });
        return server;
    }

    /** Starts a stand-in's server, or says which one could not start and why. */
    static void start(Server server, String what) {
        try {
            server.start();
        } catch (Exception e) {
            throw new IllegalStateException(what + " failed to start: " + e.getMessage(), e);
        }
    }

    /**
     * The request's headers by lower-case name. HTTP/2 carries the host as the {@code :authority}
     * pseudo-header, which AWS checks a signed {@code host} header against; it is given back as {@code host}.
     */
    static Map<String, List<String>> headers(Request request) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        for (HttpField field : request.getHeaders())
            out.computeIfAbsent(field.getLowerCaseName(), k -> new ArrayList<>())
                    .add(field.getValue());
        if (!out.containsKey("host") && request.getHttpURI().getAuthority() != null)
            out.put("host", List.of(request.getHttpURI().getAuthority()));
        return out;
    }
}
