package dev.bsg.protocol.translate;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * An Anthropic Messages request body, read once with the streaming parser. Every top-level field
 * is kept as the exact bytes the client sent, so translating to Bedrock changes only what it must:
 * {@code model} and {@code stream} go, {@code anthropic_version} and {@code anthropic_beta} come.
 */
public final class MessagesRequest {
    public static final String BEDROCK_VERSION = "bedrock-2023-05-31";

    private final byte[] body;
    private final List<Field> fields;

    /** A top-level field: where its bytes are, and the kind of JSON value it holds (for the shape check). */
    private record Field(String name, int start, int end, JsonToken kind, long integer) {}

    private final String model;
    private final boolean stream;
    private final List<String> bodyBetas;

    private MessagesRequest(byte[] body, List<Field> fields, String model, boolean stream, List<String> bodyBetas) {
        this.body = body;
        this.fields = fields;
        this.model = model;
        this.stream = stream;
        this.bodyBetas = bodyBetas;
    }

    /** Parses an Anthropic-format body; {@code requireModel} is false for bodies whose model is in the path. */
    public static MessagesRequest parse(byte[] body, boolean requireModel) {
        // The bytes are sliced by offset, which only a UTF-8 parse gives; Jackson would read UTF-16 or UTF-32 too.
        if (body.length >= 2
                && (body[0] == 0 || body[1] == 0 || (body[0] & 0xFF) == 0xFE || (body[0] & 0xFF) == 0xFF)) {
            throw new InvalidRequestException("request body must be JSON encoded as UTF-8");
        }
        List<Field> fields = new ArrayList<>();
        String model = null;
        boolean modelSeen = false;
        boolean stream = false;
        List<String> betas = List.of();
        try (JsonParser parser = Json.FACTORY.createParser(body)) {
            if (parser.nextToken() != JsonToken.START_OBJECT)
                throw new InvalidRequestException("request body must be a JSON object");
            JsonToken token = parser.nextToken();
            while (token == JsonToken.FIELD_NAME) {
                int start = (int) parser.currentTokenLocation().getByteOffset();
                String name = parser.currentName();
                JsonToken value = parser.nextToken();
                long integer =
                        value == JsonToken.VALUE_NUMBER_INT && parser.getNumberType() == JsonParser.NumberType.INT
                                ? parser.getIntValue()
                                : value == JsonToken.VALUE_NUMBER_INT
                                        ? (parser.getText().startsWith("-") ? Long.MIN_VALUE : Long.MAX_VALUE)
                                        : 0;
                switch (name) {
                    case "model" -> {
                        modelSeen = true;
                        if (value != JsonToken.VALUE_STRING)
                            throw new InvalidRequestException("model: Input should be a valid string");
                        model = parser.getText();
                    }
                    case "stream" -> {
                        if (value != JsonToken.VALUE_TRUE
                                && value != JsonToken.VALUE_FALSE
                                && value != JsonToken.VALUE_NULL) {
                            throw new InvalidRequestException("stream: Input should be a valid boolean");
                        }
                        stream = value == JsonToken.VALUE_TRUE;
                    }
                    case "anthropic_beta" -> betas = readStrings(parser, value, "anthropic_beta");
                    case "anthropic_version" -> parser.skipChildren();
                    default -> parser.skipChildren();
                }
                token = parser.nextToken();
                int end = token == null
                        ? body.length
                        : (int) parser.currentTokenLocation().getByteOffset();
                if (!name.equals("model")
                        && !name.equals("stream")
                        && !name.equals("anthropic_beta")
                        && !name.equals("anthropic_version")) {
                    if (start < 0 || end < start)
                        throw new InvalidRequestException("request body must be JSON encoded as UTF-8");
                    fields.add(new Field(name, start, trimEnd(body, start, end), value, integer));
                }
            }
            if (token != JsonToken.END_OBJECT) throw new InvalidRequestException("request body must be a JSON object");
            if (parser.nextToken() != null)
                throw new InvalidRequestException("unexpected content after the JSON object");
        } catch (StreamConstraintsException e) {
            throw new InvalidRequestException(
                    "request body is beyond the JSON limits (nesting depth, number or string length)");
        } catch (IOException e) {
            throw new InvalidRequestException("request body is not valid JSON: " + firstLine(e.getMessage()));
        }
        if (requireModel && !modelSeen) throw new InvalidRequestException("model: Field required");
        if (requireModel && model.isBlank()) throw new InvalidRequestException("model: must not be empty");
        return new MessagesRequest(body, fields, model, stream, betas);
    }

    private static List<String> readStrings(JsonParser parser, JsonToken value, String field) throws IOException {
        if (value == JsonToken.VALUE_NULL) return List.of();
        if (value != JsonToken.START_ARRAY) throw new InvalidRequestException(field + ": Input should be a valid list");
        List<String> out = new ArrayList<>();
        while (parser.nextToken() != JsonToken.END_ARRAY) {
            if (parser.currentToken() != JsonToken.VALUE_STRING)
                throw new InvalidRequestException(field + ": items should be strings");
            out.add(parser.getText());
        }
        return out;
    }

    /** Drops the whitespace and comma between a field's value and the next field. */
    private static int trimEnd(byte[] body, int start, int end) {
        int at = end;
        while (at > start) {
            byte b = body[at - 1];
            if (b == ',' || b == ' ' || b == '\n' || b == '\r' || b == '\t') at--;
            else break;
        }
        return at;
    }

    private static String firstLine(String message) {
        if (message == null) return "parse error";
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }

    public String model() {
        return model;
    }

    public boolean stream() {
        return stream;
    }

    /** The InvokeModel body: header betas merged after any the body carried, duplicates and blanks dropped. */
    public byte[] toBedrockBody(String betaHeader, Set<String> betasToDrop, Set<String> fieldsToDrop) {
        Set<String> betas = betas(betaHeader);
        betas.removeAll(betasToDrop);
        ByteArrayOutputStream out = new ByteArrayOutputStream(body.length + 64);
        out.writeBytes(("{\"anthropic_version\":\"" + BEDROCK_VERSION + "\"").getBytes(StandardCharsets.US_ASCII));
        if (!betas.isEmpty()) {
            StringBuilder list = new StringBuilder(",\"anthropic_beta\":[");
            boolean first = true;
            for (String beta : betas) {
                if (!first) list.append(',');
                list.append(Json.quote(beta));
                first = false;
            }
            out.writeBytes(list.append(']').toString().getBytes(StandardCharsets.UTF_8));
        }
        for (Field field : fields) {
            if (fieldsToDrop.contains(field.name)) continue;
            out.write(',');
            out.write(body, field.start, field.end - field.start);
        }
        out.write('}');
        return out.toByteArray();
    }

    /** The betas of the body and of the {@code anthropic-beta} header, in that order, without duplicates. */
    public Set<String> betas(String betaHeader) {
        Set<String> betas = new LinkedHashSet<>(bodyBetas);
        if (betaHeader != null) {
            for (String beta : betaHeader.split(",")) betas.add(beta.trim());
        }
        betas.remove("");
        return betas;
    }

    /**
     * The basic shape of a Messages request, checked before anything goes upstream, worded as Anthropic's
     * API words it: required fields and the JSON types of the known ones. Unknown fields pass unchecked.
     */
    public void checkShape(boolean maxTokensRequired) {
        boolean messages = false;
        boolean maxTokens = false;
        for (Field field : fields) {
            JsonToken kind = field.kind();
            if (kind == JsonToken.VALUE_NULL
                    && !field.name().equals("messages")
                    && !field.name().equals("max_tokens")) continue;
            switch (field.name()) {
                case "messages" -> {
                    messages = true;
                    expect(field, kind == JsonToken.START_ARRAY, "a valid list");
                }
                case "max_tokens" -> {
                    maxTokens = true;
                    expect(field, kind == JsonToken.VALUE_NUMBER_INT, "a valid integer");
                    if (field.integer() < 1)
                        throw new InvalidRequestException("max_tokens: Input should be greater than or equal to 1");
                }
                case "system" ->
                    expect(
                            field,
                            kind == JsonToken.VALUE_STRING || kind == JsonToken.START_ARRAY,
                            "a valid string or list");
                case "tools", "stop_sequences" -> expect(field, kind == JsonToken.START_ARRAY, "a valid list");
                case "tool_choice", "metadata", "thinking" ->
                    expect(field, kind == JsonToken.START_OBJECT, "a valid dictionary");
                case "temperature", "top_p" ->
                    expect(
                            field,
                            kind == JsonToken.VALUE_NUMBER_INT || kind == JsonToken.VALUE_NUMBER_FLOAT,
                            "a valid number");
                case "top_k" -> expect(field, kind == JsonToken.VALUE_NUMBER_INT, "a valid integer");
                default -> {}
            }
        }
        if (!messages) throw new InvalidRequestException("messages: Field required");
        if (maxTokensRequired && !maxTokens) throw new InvalidRequestException("max_tokens: Field required");
    }

    private static void expect(Field field, boolean ok, String what) {
        if (!ok) throw new InvalidRequestException(field.name() + ": Input should be " + what);
    }

    /** The top-level fields forwarded as sent, in order. */
    public List<String> keptFieldNames() {
        return fields.stream().map(Field::name).toList();
    }
}
