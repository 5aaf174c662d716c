package dev.bsg.gateway.http;

import java.util.Locale;

/** Which dialect a request came in: it decides the error envelope the client gets back. */
public enum Door {
    ANTHROPIC,
    BEDROCK,
    API;

    private final String label = name().toLowerCase(Locale.ROOT);

    /** The door as usage records and reports name it. */
    public String label() {
        return label;
    }
}
