package dev.bsg.gateway.auth;

import dev.bsg.gateway.core.Secrets;

/** Gateway API keys: {@code SSOK_} and 32 base62 characters (about 190 random bits). */
public final class ApiKeyFormat {
    public static final String PREFIX = "SSOK_";

    private ApiKeyFormat() {}

    public static String generate() {
        return PREFIX + Secrets.base62(32);
    }

    /** {@code SSOK_} and 32 base62 characters; checked by hand, as it runs on every request. */
    public static boolean looksLikeKey(String value) {
        if (value == null || value.length() != PREFIX.length() + 32 || !value.startsWith(PREFIX)) return false;
        for (int i = PREFIX.length(); i < value.length(); i++) {
            char c = value.charAt(i);
            if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'))) return false;
        }
        return true;
    }

    /** What lists show instead of the key: the prefix and last four characters. */
    public static String hint(String key) {
        return PREFIX + "…" + key.substring(key.length() - 4);
    }
}
