package dev.bsg.gateway.store;

/**
 * What a text column can hold, on both databases alike: PostgreSQL refuses NUL and anything past a
 * VARCHAR's length, SQLite takes both. Values are fitted before they are stored so a hostile or odd
 * input is shortened, never a failed insert.
 */
public final class Columns {
    private Columns() {}

    /** The value without NUL characters, cut to at most {@code max} characters (never inside a surrogate pair). */
    public static String fit(String value, int max) {
        if (value == null) return null;
        if (value.length() <= max && value.indexOf('\0') < 0) return value;
        String clean = value.indexOf('\0') < 0 ? value : value.replace("\0", "");
        if (clean.length() <= max) return clean;
        int end = max;
        if (end > 0 && Character.isHighSurrogate(clean.charAt(end - 1))) end--;
        return clean.substring(0, end);
    }
}
