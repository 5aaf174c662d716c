package dev.bsg.gateway.telemetry;

import java.util.Locale;

/** The three OTLP/HTTP signals Claude Code exports, with their path and the top-level field of their JSON form. */
public enum OtlpSignal {
    METRICS("/v1/metrics", "resourceMetrics"),
    LOGS("/v1/logs", "resourceLogs"),
    TRACES("/v1/traces", "resourceSpans");

    private final String path;
    private final String jsonField;

    OtlpSignal(String path, String jsonField) {
        this.path = path;
        this.jsonField = jsonField;
    }

    public String path() {
        return path;
    }

    String jsonField() {
        return jsonField;
    }

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
