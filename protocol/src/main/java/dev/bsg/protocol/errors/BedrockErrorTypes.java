package dev.bsg.protocol.errors;

import java.util.Locale;
import java.util.Map;

/** Bedrock's error names: the HTTP status of each, and the lowerCamel form used in streams. */
public final class BedrockErrorTypes {
    private static final Map<String, Integer> STATUS = Map.ofEntries(
            Map.entry("AccessDeniedException", 403),
            Map.entry("ResourceNotFoundException", 404),
            Map.entry("ThrottlingException", 429),
            Map.entry("ModelNotReadyException", 429),
            Map.entry("ModelTimeoutException", 408),
            Map.entry("ValidationException", 400),
            Map.entry("ServiceQuotaExceededException", 400),
            Map.entry("ConflictException", 400),
            Map.entry("ModelErrorException", 424),
            Map.entry("ModelStreamErrorException", 424),
            Map.entry("InternalServerException", 500),
            Map.entry("ServiceUnavailableException", 503));

    private BedrockErrorTypes() {}

    /** {@code ValidationException:http://...}, {@code aws#ValidationException} or {@code validationException} → {@code ValidationException}. */
    public static String normalise(String raw) {
        if (raw == null || raw.isBlank()) return "InternalServerException";
        String type = raw;
        int colon = type.indexOf(':');
        if (colon >= 0) type = type.substring(0, colon);
        int hash = type.indexOf('#');
        if (hash >= 0) type = type.substring(hash + 1);
        type = type.trim();
        if (type.isEmpty()) return "InternalServerException";
        return Character.toUpperCase(type.charAt(0)) + type.substring(1);
    }

    public static int statusOf(String type) {
        return STATUS.getOrDefault(normalise(type), 500);
    }

    /** The name of an exception member in a response stream: {@code throttlingException}. */
    public static String streamMember(String type) {
        String normal = normalise(type);
        return normal.substring(0, 1).toLowerCase(Locale.ROOT) + normal.substring(1);
    }
}
