package dev.bsg.protocol.translate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bsg.protocol.eventstream.EventStreamMessage;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Random;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

class BedrockChunksTest {
    static EventStreamMessage chunkWithPayload(String payload) {
        return EventStreamMessage.event("chunk", payload.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void chunksBecomeSseEventsNamedByTheirType() {
        byte[] sse = BedrockChunks.toSse(
                BedrockChunks.chunk("{\"type\":\"message_stop\"}".getBytes(StandardCharsets.UTF_8)));
        assertThat(new String(sse, StandardCharsets.UTF_8))
                .isEqualTo("event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n");
    }

    @Test
    void paddingAndOtherKeyOrdersStillDecode() {
        String b64 = Base64.getEncoder()
                .encodeToString("{ \"index\":0, \"type\":\"content_block_stop\"}".getBytes(StandardCharsets.UTF_8));
        assertThat(BedrockChunks.toSse(chunkWithPayload("{\"bytes\":\"" + b64 + "\",\"p\":\"abcdefgh\"}")))
                .asString(StandardCharsets.UTF_8)
                .startsWith("event: content_block_stop\n");
        assertThat(BedrockChunks.toSse(chunkWithPayload("{\"p\":\"abc\",\"bytes\":\"" + b64 + "\"}")))
                .asString(StandardCharsets.UTF_8)
                .startsWith("event: content_block_stop\n");
    }

    @Test
    void exceptionFramesBecomeErrorEventsWithTheUpstreamWording() {
        byte[] sse = BedrockChunks.toSse(EventStreamMessage.exception(
                "throttlingException", "{\"message\":\"Too many tokens\"}".getBytes(StandardCharsets.UTF_8)));
        assertThat(new String(sse, StandardCharsets.UTF_8))
                .startsWith("event: error\n")
                .contains("\"type\":\"rate_limit_error\"")
                .contains("Too many tokens");
    }

    @Test
    void framesWithoutAnEventAreDropped() {
        assertThat(BedrockChunks.toSse(chunkWithPayload("{\"bytes\":\"!!!\"}"))).isNull();
        assertThat(BedrockChunks.toSse(chunkWithPayload("{}"))).isNull();
        assertThat(BedrockChunks.toSse(BedrockChunks.chunk("{\"no_type\":1}".getBytes(StandardCharsets.UTF_8))))
                .isNull();
    }

    @RepeatedTest(200)
    void anyEventSurvivesTheRoundTrip() {
        Random random = new Random();
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < random.nextInt(200); i++) text.append((char) (32 + random.nextInt(0x2FF)));
        byte[] event = Json.write(g -> {
            g.writeStartObject();
            g.writeStringField("type", "content_block_delta");
            g.writeStringField("text", text.toString());
            g.writeEndObject();
        });
        assertThat(BedrockChunks.eventJson(BedrockChunks.chunk(event))).isEqualTo(event);
    }
}
