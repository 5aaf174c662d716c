package dev.bsg.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bsg.simulator.Reply;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Idle and stalling connections are closed; a request waiting on a slow upstream is not. */
class IdleConnectionsTest {
    @Test
    void idleAndStalledConnectionsCloseButSlowAnswersComplete() throws Exception {
        try (TestDatabase database = TestDatabase.sqlite();
                TestGateway gw = TestGateway.start(database.url(), Map.of("BSG_SERVER__IDLE_TIMEOUT_SECONDS", "1"))) {
            assertThat(closedWithin(gw, "", Duration.ofSeconds(5)))
                    .as("a connection that sends nothing")
                    .isTrue();
            assertThat(closedWithin(gw, "GET /v1/mo", Duration.ofSeconds(5)))
                    .as("a request line that never ends")
                    .isTrue();
            assertThat(closedWithin(gw, "GET /healthz HTTP/1.1\r\nHost: a\r\nX-Slow: ", Duration.ofSeconds(5)))
                    .as("headers that never end")
                    .isTrue();
            // An answer that takes three idle timeouts to start still arrives: the handler's wait is not idleness.
            gw.simulator.defaultReply(Reply.text("slow but sure").withPacing(Duration.ofSeconds(3), Duration.ZERO));
            var slow = gw.post(
                    "/v1/messages",
                    "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":8,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
            assertThat(slow.statusCode()).isEqualTo(200);
            assertThat(slow.body()).contains("slow but sure");
        }
    }

    /** Whether the gateway closes a connection that sent only {@code partial}. */
    static boolean closedWithin(TestGateway gw, String partial, Duration limit) throws Exception {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), gw.gateway.port()));
            socket.getOutputStream().write(partial.getBytes(StandardCharsets.ISO_8859_1));
            socket.setSoTimeout((int) limit.toMillis());
            InputStream in = socket.getInputStream();
            try {
                while (in.read() >= 0) {
                    // an error answer may come first; the close follows
                }
                return true;
            } catch (SocketTimeoutException e) {
                return false;
            } catch (SocketException e) {
                return true; // reset: closed too
            }
        }
    }
}
