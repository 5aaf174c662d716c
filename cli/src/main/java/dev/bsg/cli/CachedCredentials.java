package dev.bsg.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The cached path of {@code bsg credential-process}, which the AWS CLI and Claude Code run often: read
 * the profile's cache file and print it, touching nothing but {@code java.base} (no picocli, no JSON
 * library, no AWS SDK, no YAML). Anything it can't answer on its own (no cache, near expiry, secrets
 * in the keyring, other options) goes to the full command. Written to start fast: no lambdas, regular
 * expressions, {@code java.time} or string concatenation by {@code invokedynamic}, whose bootstrapping
 * would cost more than the rest.
 */
@SuppressWarnings(
        "UnnecessaryStringBuilder") // the answer is built in one presized buffer: this path runs before anything else
// loads
final class CachedCredentials {
    private CachedCredentials() {}

    /** True when it printed the answer; false to let the full command run. */
    static boolean tryAnswer(String[] args) {
        String profile = System.getenv("BSG_PROFILE");
        if (profile == null || profile.isBlank()) profile = "default";
        for (int i = 1; i < args.length; i++) {
            if (args[i].equals("--profile") && i + 1 < args.length) profile = args[++i];
            else if (args[i].startsWith("--profile=")) profile = args[i].substring("--profile=".length());
            else if (!args[i].equals("--device")) return false; // --device only matters when signing in
        }
        Path file = cacheFile(profile);
        String json;
        try {
            json = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return false;
        }
        if (json.contains("\"in_keyring\":true") || json.indexOf('\\') >= 0) return false;
        String keyId = field(json, "AccessKeyId");
        String secret = field(json, "SecretAccessKey");
        String token = field(json, "SessionToken");
        String expiration = field(json, "Expiration");
        String expiresEpoch = number(json, "expires_epoch");
        if (keyId == null || secret == null || token == null || expiration == null || expiresEpoch == null)
            return false;
        try {
            if (Long.parseLong(expiresEpoch)
                    <= System.currentTimeMillis() / 1000 + CredentialProcessCommand.REUSE_MARGIN_SECONDS) return false;
        } catch (NumberFormatException e) {
            return false;
        }
        System.out.println(new StringBuilder(256)
                .append("{\"Version\":1,\"AccessKeyId\":\"")
                .append(keyId)
                .append("\",\"SecretAccessKey\":\"")
                .append(secret)
                .append("\",\"SessionToken\":\"")
                .append(token)
                .append("\",\"Expiration\":\"")
                .append(expiration)
                .append("\"}")
                .toString());
        return true;
    }

    /** Where a profile's AWS credentials are cached: {@code $XDG_CACHE_HOME/bsg/aws-PROFILE.json}, else under ~/.cache. */
    static Path cacheFile(String profile) {
        String cacheHome = System.getenv("XDG_CACHE_HOME");
        Path base = cacheHome != null && !cacheHome.isBlank()
                ? Path.of(cacheHome)
                : Path.of(System.getProperty("user.home"), ".cache");
        return base.resolve("bsg")
                .resolve(new StringBuilder("aws-")
                        .append(fileSafe(profile))
                        .append(".json")
                        .toString());
    }

    /** The profile name as it appears in the cache file's name: anything but letters, digits, . _ - becomes _. */
    static String fileSafe(String profile) {
        StringBuilder out = new StringBuilder(profile.length());
        for (int i = 0; i < profile.length(); i++) {
            char c = profile.charAt(i);
            boolean plain = (c >= 'a' && c <= 'z')
                    || (c >= 'A' && c <= 'Z')
                    || (c >= '0' && c <= '9')
                    || c == '.'
                    || c == '_'
                    || c == '-';
            out.append(plain ? c : '_');
        }
        return out.toString();
    }

    /** A top-level string field of the compact JSON the cache writes; null when absent. */
    static String field(String json, String name) {
        int start = value(json, name);
        if (start < 0 || start >= json.length() || json.charAt(start) != '"') return null;
        int end = json.indexOf('"', start + 1);
        return end < 0 ? null : json.substring(start + 1, end);
    }

    static String number(String json, String name) {
        int start = value(json, name);
        if (start < 0) return null;
        int end = start;
        while (end < json.length() && Character.isDigit(json.charAt(end))) end++;
        return end == start ? null : json.substring(start, end);
    }

    /** Where the value of the first {@code "name":} starts (compact or pretty-printed JSON); -1 when absent. */
    static int value(String json, String name) {
        String key = new StringBuilder(name.length() + 2)
                .append('"')
                .append(name)
                .append('"')
                .toString();
        for (int at = json.indexOf(key); at >= 0; at = json.indexOf(key, at + 1)) {
            int i = skipSpace(json, at + key.length());
            if (i < json.length() && json.charAt(i) == ':') return skipSpace(json, i + 1);
        }
        return -1;
    }

    private static int skipSpace(String json, int i) {
        while (i < json.length() && Character.isWhitespace(json.charAt(i))) i++;
        return i;
    }
}
