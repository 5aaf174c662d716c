package dev.bsg.gateway;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Debian's HAProxy running deploy/compose/haproxy.cfg as written, with only its addresses rewritten: the two
 * gateways' (public and management ports) in place of gateway-a and gateway-b, and a free loopback port to
 * listen on. Skipped without HAProxy, except under CI=true.
 */
public final class ComposeProxy implements AutoCloseable {
    public static final Path ROOT =
            Path.of(System.getenv().getOrDefault("BSG_REPO_ROOT", "..")).toAbsolutePath();
    private static final Path HAPROXY = Path.of("/usr/sbin/haproxy");
    private final Process process;
    private final String url;

    private ComposeProxy(Process process, String url) {
        this.process = process;
        this.url = url;
    }

    /** In front of the gateways at these base URLs (http://host:port), each with its management port's URL. */
    public static ComposeProxy start(String gatewayA, String managementA, String gatewayB, String managementB)
            throws IOException {
        require(HAPROXY, "haproxy (apt-get install haproxy)");
        Path dir = Files.createTempDirectory("bsg-proxy");
        int port = freePort();
        Path config = dir.resolve("haproxy.cfg");
        Files.writeString(
                config,
                Files.readString(ROOT.resolve("deploy/compose/haproxy.cfg"))
                        .replace(
                                "gateway-a:8080",
                                hostPort(gatewayA) + " port "
                                        + URI.create(managementA).getPort())
                        .replace(
                                "gateway-b:8080",
                                hostPort(gatewayB) + " port "
                                        + URI.create(managementB).getPort())
                        .replace("bind :8080", "bind 127.0.0.1:" + port));
        Process process = new ProcessBuilder(HAPROXY.toString(), "-f", config.toString(), "-db")
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("haproxy.out").toFile())
                .start();
        ComposeProxy proxy = new ComposeProxy(process, "http://127.0.0.1:" + port);
        proxy.awaitListening(port);
        return proxy;
    }

    private void awaitListening(int port) throws IOException {
        for (int i = 0; i < 100; i++) {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1000);
                return;
            } catch (IOException e) {
                if (!process.isAlive()) throw new IOException("haproxy exited: see its output", e);
                try {
                    Thread.sleep(50);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw new IOException(interrupted);
                }
            }
        }
        throw new IOException("haproxy is not listening on " + port);
    }

    public String url() {
        return url;
    }

    public static String hostPort(String url) {
        URI uri = URI.create(url);
        return uri.getHost() + ":" + uri.getPort();
    }

    public static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /** The binary, or the test skipped (failed under CI=true) with what to install. */
    public static Path require(Path binary, String what) {
        if (!Files.isExecutable(binary)) {
            String why = what + " is not installed; scripts/test installs it";
            if ("true".equals(System.getenv("CI"))) fail(why);
            assumeTrue(false, why);
        }
        return binary;
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        process.waitFor();
    }
}
