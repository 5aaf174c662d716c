package dev.bsg.protocol.eventstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.zip.CRC32;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

class EventStreamCodecTest {
    private static final HexFormat HEX = HexFormat.ofDelimiter(" ");

    @Test
    void matchesTheSpecificationVectorWithoutHeaders() {
        byte[] encoded = EventStreamCodec.encode(
                new EventStreamMessage(Map.of(), "{\"foo\": \"bar\"}".getBytes(StandardCharsets.UTF_8)));
        assertThat(HEX.formatHex(encoded))
                .isEqualTo("00 00 00 1e 00 00 00 00 ba f2 f6 8a 7b 22 66 6f 6f 22 3a 20 22 62 61 72 22 7d ae 72 58 e4");
    }

    @Test
    void matchesTheVectorWithAContentTypeHeader() {
        byte[] encoded = EventStreamCodec.encode(new EventStreamMessage(
                Map.of("content-type", HeaderValue.string("application/json")),
                "{\"foo\": \"bar\"}".getBytes(StandardCharsets.UTF_8)));
        String hex = HEX.formatHex(encoded);
        assertThat(hex)
                .startsWith("00 00 00 3e 00 00 00 20 40 5d f9 46 0c 63 6f 6e")
                .endsWith("6f a2 bf 3b");
    }

    @Test
    void decodesFramesSplitAtEveryByte() {
        List<EventStreamMessage> sent = List.of(
                EventStreamMessage.event("chunk", "{\"bytes\":\"eyJ9\"}".getBytes(StandardCharsets.UTF_8)),
                EventStreamMessage.exception(
                        "throttlingException", "{\"message\":\"slow down\"}".getBytes(StandardCharsets.UTF_8)));
        byte[] wire = concat(sent);
        EventStreamDecoder decoder = new EventStreamDecoder();
        List<EventStreamMessage> got = new ArrayList<>();
        for (int i = 0; i < wire.length; i++) decoder.feed(wire, i, 1, got::add);
        assertThat(got).hasSize(2);
        assertThat(got.get(0).header(":event-type")).isEqualTo("chunk");
        assertThat(got.get(1).header(":exception-type")).isEqualTo("throttlingException");
        assertThat(got.get(1).payloadAsString()).isEqualTo("{\"message\":\"slow down\"}");
        assertThat(decoder.pendingBytes()).isZero();
    }

    @RepeatedTest(200)
    void randomMessagesRoundTrip() {
        Random random = new Random();
        List<EventStreamMessage> sent = new ArrayList<>();
        for (int m = 0; m < 1 + random.nextInt(5); m++) sent.add(randomMessage(random));
        byte[] wire = concat(sent);
        EventStreamDecoder decoder = new EventStreamDecoder();
        List<EventStreamMessage> got = new ArrayList<>();
        int at = 0;
        while (at < wire.length) {
            int n = Math.min(wire.length - at, 1 + random.nextInt(64));
            decoder.feed(wire, at, n, got::add);
            at += n;
        }
        assertThat(got).hasSize(sent.size());
        for (int i = 0; i < sent.size(); i++) {
            assertThat(got.get(i).headers()).isEqualTo(sent.get(i).headers());
            assertThat(got.get(i).payload()).isEqualTo(sent.get(i).payload());
        }
    }

    @RepeatedTest(200)
    void corruptedBytesAreRejectedNeverMisread() {
        Random random = new Random();
        EventStreamMessage original = randomMessage(random);
        byte[] wire = EventStreamCodec.encode(original);
        int position = random.nextInt(wire.length);
        wire[position] ^= (byte) (1 + random.nextInt(255));
        EventStreamDecoder decoder = new EventStreamDecoder();
        try {
            List<EventStreamMessage> got = decoder.feed(wire, 0, wire.length);
            // A flipped length can only make the decoder wait for more bytes; it never yields a message.
            assertThat(got).isEmpty();
            assertThat(decoder.pendingBytes()).isEqualTo(wire.length);
        } catch (EventStreamException expected) {
            assertThat(expected.getMessage()).isNotBlank();
        }
    }

    @RepeatedTest(100)
    void arbitraryGarbageOnlyEverRaisesEventStreamException() {
        Random random = new Random();
        byte[] garbage = new byte[random.nextInt(400)];
        random.nextBytes(garbage);
        try {
            new EventStreamDecoder().feed(garbage, 0, garbage.length);
        } catch (EventStreamException expected) {
            assertThat(expected).hasMessageNotContaining("Exception");
        }
    }

    @Test
    void aTruncatedFrameStaysPending() {
        byte[] wire = EventStreamCodec.encode(EventStreamMessage.event("chunk", new byte[100]));
        EventStreamDecoder decoder = new EventStreamDecoder();
        assertThat(decoder.feed(wire, 0, wire.length - 1)).isEmpty();
        assertThat(decoder.pendingBytes()).isEqualTo(wire.length - 1);
    }

    @Test
    void aDecoderBetweenWholeFramesHoldsNoBuffer() {
        byte[] frame = EventStreamCodec.encode(EventStreamMessage.event("chunk", new byte[100]));
        byte[] wire = concat(List.of(
                EventStreamMessage.event("chunk", new byte[100]), EventStreamMessage.event("chunk", new byte[100])));
        EventStreamDecoder decoder = new EventStreamDecoder();
        assertThat(decoder.feed(wire, 0, wire.length)).hasSize(2);
        assertThat(decoder.heldBytes()).isZero();
        // A frame split across reads is held only until it is whole, then let go.
        assertThat(decoder.feed(frame, 0, 20)).isEmpty();
        assertThat(decoder.heldBytes()).isEqualTo(20);
        assertThat(decoder.feed(frame, 20, frame.length - 20)).hasSize(1);
        assertThat(decoder.heldBytes()).isZero();
        // A whole frame and the start of the next in one read: only the start is kept.
        byte[] joined = Arrays.copyOf(frame, frame.length + 30);
        System.arraycopy(frame, 0, joined, frame.length, 30);
        assertThat(decoder.feed(joined, 0, joined.length)).hasSize(1);
        assertThat(decoder.heldBytes()).isEqualTo(30);
        assertThat(decoder.feed(frame, 30, frame.length - 30)).hasSize(1);
        assertThat(decoder.pendingBytes()).isZero();
    }

    @Test
    void hugeHeadersAreRefusedOnBothSides() {
        Map<String, HeaderValue> headers = new LinkedHashMap<>();
        for (int i = 0; i < 5; i++) headers.put("h" + i, HeaderValue.string("x".repeat(30_000)));
        assertThatThrownBy(() -> EventStreamCodec.encode(new EventStreamMessage(headers, new byte[0])))
                .isInstanceOf(EventStreamException.class)
                .hasMessageContaining("headers too large");
        byte[] prelude = {0, 0, 0, 16 + 1, 0, 2, 0, 1, 0, 0, 0, 0};
        CRC32 crc = new CRC32();
        crc.update(prelude, 0, 8);
        long value = crc.getValue();
        for (int i = 0; i < 4; i++) prelude[8 + i] = (byte) (value >>> (24 - 8 * i));
        assertThatThrownBy(() -> new EventStreamDecoder().feed(prelude, 0, prelude.length))
                .isInstanceOf(EventStreamException.class)
                .hasMessageContaining("headers length");
    }

    @Test
    void aFailedDecoderStaysFailed() {
        byte[] garbage = new byte[16];
        EventStreamDecoder decoder = new EventStreamDecoder();
        assertThatThrownBy(() -> decoder.feed(garbage, 0, 16)).isInstanceOf(EventStreamException.class);
        assertThatThrownBy(() -> decoder.feed(garbage, 0, 1)).hasMessageContaining("already failed");
    }

    static EventStreamMessage randomMessage(Random random) {
        Map<String, HeaderValue> headers = new LinkedHashMap<>();
        int count = random.nextInt(6);
        for (int i = 0; i < count; i++) {
            String name = ":h" + i + "-" + Long.toString(random.nextLong(), 36);
            headers.put(
                    name,
                    switch (random.nextInt(8)) {
                        case 0 -> HeaderValue.bool(random.nextBoolean());
                        case 1 -> HeaderValue.number(HeaderValue.BYTE, (byte) random.nextInt());
                        case 2 -> HeaderValue.number(HeaderValue.SHORT, (short) random.nextInt());
                        case 3 -> HeaderValue.number(HeaderValue.INT, random.nextInt());
                        case 4 -> HeaderValue.number(HeaderValue.LONG, random.nextLong());
                        case 5 -> HeaderValue.number(HeaderValue.TIMESTAMP, System.currentTimeMillis());
                        case 6 -> HeaderValue.uuid(UUID.randomUUID());
                        default -> HeaderValue.string("ü-" + "v".repeat(random.nextInt(300)));
                    });
        }
        byte[] payload = new byte[random.nextInt(2000)];
        random.nextBytes(payload);
        return new EventStreamMessage(headers, payload);
    }

    static byte[] concat(List<EventStreamMessage> messages) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (EventStreamMessage message : messages) out.writeBytes(EventStreamCodec.encode(message));
        return out.toByteArray();
    }
}
