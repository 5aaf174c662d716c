package dev.bsg.gateway.metering;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bsg.gateway.core.Usage;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

class UsageTest {
    private static final Map<String, String> HEADERS = Map.of(
            "x-amzn-bedrock-input-token-count",
            "120",
            "x-amzn-bedrock-output-token-count",
            "34",
            "x-amzn-bedrock-cache-read-input-token-count",
            "not a number");

    @Test
    void tokenCountHeadersCountWhenTheBodyHasNoUsage() {
        Usage usage = new Usage();
        usage.tokenHeaders(HEADERS::get);
        usage.messageBody(
                "{\"completion\":\"an answer from a model that reports no usage\"}".getBytes(StandardCharsets.UTF_8));
        assertThat(usage.input()).isEqualTo(120);
        assertThat(usage.output()).isEqualTo(34);
        assertThat(usage.cacheRead()).as("a malformed header is ignored").isZero();
    }

    @Test
    void theBodysOwnUsageWinsOverTheHeaders() {
        Usage usage = new Usage();
        usage.tokenHeaders(HEADERS::get);
        usage.messageBody("{\"usage\":{\"input_tokens\":7,\"output_tokens\":9,\"cache_read_input_tokens\":5}}"
                .getBytes(StandardCharsets.UTF_8));
        assertThat(usage.input()).isEqualTo(7);
        assertThat(usage.output()).isEqualTo(9);
        assertThat(usage.cacheRead()).isEqualTo(5);
        assertThat(usage.totalTokens()).isEqualTo(21);
    }
}
