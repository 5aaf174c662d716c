package dev.bsg.gateway.auth;

import java.util.regex.Pattern;

/** Gateway API keys: {@code SSOK_} and 32 base62 characters (about 190 random bits). */
public final class ApiKeyFormat {
    public static final String PREFIX = "SSOK_";
    private static final Pattern FORMAT = Pattern.compile("^SSOK_[0-9A-Za-z]{32}$");

    private ApiKeyFormat() {}

    public static String generate() {
        return PREFIX + Secrets.base62(32);
    }

    public static boolean looksLikeKey(String value) {
        return value != null && FORMAT.matcher(value).matches();
    }

    /** What lists show instead of the key: the prefix and last four characters. */
    public static String hint(String key) {
        return PREFIX + "…" + key.substring(key.length() - 4);
    }
}
