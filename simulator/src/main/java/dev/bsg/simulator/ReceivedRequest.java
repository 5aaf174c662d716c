package dev.bsg.simulator;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** A request as the simulator received it, for tests to assert on. */
public record ReceivedRequest(
        String method,
        String path,
        String operation,
        String modelId,
        Map<String, List<String>> headers,
        byte[] body,
        String authProblem,
        String protocol) {

    public String header(String name) {
        List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    public String bodyText() {
        return new String(body, StandardCharsets.UTF_8);
    }

    public boolean signatureValid() {
        return authProblem == null;
    }
}
