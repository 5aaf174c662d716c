package dev.bsg.simulator;

import java.security.SecureRandom;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Temporary credentials the STS and Cognito Identity stand-ins issued in this process, so the Bedrock
 * simulator (and STS's GetCallerIdentity) accept them until they expire, as AWS would.
 */
public final class IssuedCredentials {
    /** One set of temporary credentials and whom they stand for. */
    public record Issued(
            String accessKeyId,
            String secretAccessKey,
            String sessionToken,
            Instant expiration,
            String arn,
            String userId) {}

    private static final Map<String, Issued> BY_KEY = new ConcurrentHashMap<>();
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

    private IssuedCredentials() {}

    static Issued issue(String arn, String userId, Instant expiration) {
        Issued issued = new Issued(
                "ASIA" + random(16, ALPHABET),
                random(40, ALPHABET + "abcdefghijklmnopqrstuvwxyz+/"),
                "IQoJb3JpZ2luX2VjE" + random(120, ALPHABET + "abcdefghijklmnopqrstuvwxyz"),
                expiration,
                arn,
                userId);
        BY_KEY.put(issued.accessKeyId(), issued);
        return issued;
    }

    /** The secret of a live access key, or null. */
    static String secretOf(String accessKeyId) {
        Issued issued = find(accessKeyId);
        return issued == null ? null : issued.secretAccessKey();
    }

    static Issued find(String accessKeyId) {
        Issued issued = BY_KEY.get(accessKeyId);
        return issued == null || issued.expiration().isBefore(Instant.now()) ? null : issued;
    }

    /** Every key issued so far, for tests that check what a client was given. */
    public static Map<String, Issued> all() {
        return Map.copyOf(BY_KEY);
    }

    private static String random(int length, String alphabet) {
        StringBuilder out = new StringBuilder(length);
        for (int i = 0; i < length; i++) out.append(alphabet.charAt(RANDOM.nextInt(alphabet.length())));
        return out.toString();
    }
}
