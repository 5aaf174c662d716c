package dev.bsg.gateway.settings;

/** A configuration problem, worded for the person fixing it: the key, the value and what to do. */
public class SettingsException extends RuntimeException {
    public SettingsException(String key, String value, String fix) {
        super("config key " + key + (value == null ? "" : ": value '" + value + "'") + " is not usable: " + fix);
    }

    public SettingsException(String message) {
        super(message);
    }
}
