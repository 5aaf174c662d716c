package dev.bsg.protocol.translate;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
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

    private record Field(String name, int start, int end) {}
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
        List<Field> fields = new ArrayList<>();
        String model = null;
        boolean modelSeen = false;
        boolean stream = false;
        List<String> betas = List.of();
        try (JsonParser parser = Json.FACTORY.createParser(body)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) throw new InvalidRequestException("request body must be a JSON object");
            JsonToken token = parser.nextToken();
            while (token == JsonToken.FIELD_NAME) {
                int start = (int) parser.currentTokenLocation().getByteOffset();
                String name = parser.currentName();
                JsonToken value = parser.nextToken();
                switch (name) {
                    case "model" -> {
                        modelSeen = true;
                        if (value != JsonToken.VALUE_STRING) throw new InvalidRequestException("model: Input should be a valid string");
                        model = parser.getText();
                    }
                    case "stream" -> {
                        if (value != JsonToken.VALUE_TRUE && value != JsonToken.VALUE_FALSE && value != JsonToken.VALUE_NULL) {
                            throw new InvalidRequestException("stream: Input should be a valid boolean");
                        }
                        stream = value == JsonToken.VALUE_TRUE;
                    }
                    case "anthropic_beta" -> betas = readStrings(parser, value, "anthropic_beta");
                    case "anthropic_version" -> parser.skipChildren();
                    default -> parser.skipChildren();
                }
                token = parser.nextToken();
                int end = token == null ? body.length : (int) parser.currentTokenLocation().getByteOffset();
                if (!name.equals("model") && !name.equals("stream") && !name.equals("anthropic_beta") && !name.equals("anthropic_version")) {
                    fields.add(new Field(name, start, trimEnd(body, start, end)));
                }
            }
            if (token != JsonToken.END_OBJECT) throw new InvalidRequestException("request body must be a JSON object");
            if (parser.nextToken() != null) throw new InvalidRequestException("unexpected content after the JSON object");
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
            if (parser.currentToken() != JsonToken.VALUE_STRING) throw new InvalidRequestException(field + ": items should be strings");
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

    /** The top-level fields forwarded as sent, in order. */
    public List<String> keptFieldNames() {
        return fields.stream().map(Field::name).toList();
    }
}
