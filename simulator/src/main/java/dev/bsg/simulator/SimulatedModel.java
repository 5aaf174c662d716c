package dev.bsg.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bsg.protocol.translate.Json;
import java.io.IOException;
import java.util.Base64;
import java.util.Set;
import java.util.regex.Pattern;

/** The simulator's stand-in for a model's own checks and its tokenizer. */
final class SimulatedModel {
    /** Models with ARN-style versions ({@code -v1:0}) accept only the Bedrock dialect's version string. */
    private static final Pattern VERSIONED_ID = Pattern.compile("-v[0-9]+:[0-9]+$");

    private SimulatedModel() {}

    /** Deterministic "tokens": one per four bytes of the request body, so CountTokens is exact against invoke. */
    static int inputTokens(byte[] body) {
        return Math.max(1, body.length / 4);
    }

    /** The model name Bedrock reports in replies: the base ID without vendor, prefix or version suffix. */
    static String anthropicName(String modelId) {
        String id = modelId.substring(modelId.lastIndexOf('/') + 1);
        int vendor = id.indexOf("anthropic.");
        if (vendor >= 0) id = id.substring(vendor + "anthropic.".length());
        return id.replaceFirst("-v[0-9]+(:[0-9]+)?$", "");
    }

    /** Bedrock's wording for what it refuses in an InvokeModel body; null when acceptable. */
    static String validateInvokeBody(
            String modelId, byte[] body, Set<String> rejectedBetas, Set<String> rejectedFields) {
        JsonNode node;
        try {
            node = Json.MAPPER.readTree(body);
        } catch (IOException e) {
            return "Malformed input request, please reformat your input and try again.";
        }
        if (node == null || !node.isObject())
            return "Malformed input request, please reformat your input and try again.";
        String version = node.path("anthropic_version").asText("");
        if (version.isEmpty()) {
            return "Malformed input request: #: required key [anthropic_version] not found, please reformat your input and try again.";
        }
        boolean dated = version.matches("20[0-9]{2}-[0-9]{2}-[0-9]{2}");
        if (!version.equals("bedrock-2023-05-31")
                && !(dated && !VERSIONED_ID.matcher(modelId).find())) {
            return "Malformed input request: anthropic_version " + version
                    + " is not supported for this model, please reformat your input and try again.";
        }
        for (String forbidden : new String[] {"model", "stream"}) {
            if (node.has(forbidden)) {
                return "Malformed input request: #: extraneous key [" + forbidden
                        + "] is not permitted, please reformat your input and try again.";
            }
        }
        if (!node.has("messages"))
            return "Malformed input request: #: required key [messages] not found, please reformat your input and try again.";
        for (String field : rejectedFields) {
            if (node.has(field)) return field + ": Extra inputs are not permitted";
        }
        for (JsonNode beta : node.path("anthropic_beta")) {
            if (rejectedBetas.contains(beta.asText())) return "invalid beta flag";
        }
        return null;
    }

    /** CountTokens: tokens of the wrapped InvokeModel body or Converse input, or null when the input is missing. */
    static Integer countTokens(byte[] body) {
        try {
            JsonNode input = Json.MAPPER.readTree(body).path("input");
            if (input.has("invokeModel")) {
                return inputTokens(Base64.getDecoder()
                        .decode(input.path("invokeModel").path("body").asText()));
            }
            if (input.has("converse")) return inputTokens(Json.MAPPER.writeValueAsBytes(input.get("converse")));
        } catch (IOException | IllegalArgumentException e) {
            return null;
        }
        return null;
    }
}
