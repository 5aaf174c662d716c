package dev.bsg.gateway;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;

/** The Redis at {@code BSG_TEST_REDIS} (default redis://127.0.0.1:6379); missing, its tests are skipped, or fail under {@code CI=true}. */
public final class TestRedis {
    private TestRedis() {}

    public static String url() {
        String url = System.getenv().getOrDefault("BSG_TEST_REDIS", "redis://127.0.0.1:6379");
        URI uri = URI.create(url);
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(uri.getHost(), uri.getPort()), 1000);
        } catch (IOException e) {
            String why = "Redis is not reachable at " + url + " (" + e.getMessage() + "); scripts/test starts one";
            if ("true".equals(System.getenv("CI"))) fail(why);
            assumeTrue(false, why);
        }
        return url;
    }
}
