package dev.bsg.gateway.http;

/** Which dialect a request came in: it decides the error envelope the client gets back. */
public enum Door {
    ANTHROPIC,
    BEDROCK,
    API
}
