package dev.bsg.gateway.metering;

/** One metered request. */
public record UsageRecord(long at, String requestId, String userId, String userEmail, String keyId, String groupsCsv,
                          String sessionId, String agentId, String door, String operation, String modelAsked, String model, String region,
                          long inputTokens, long outputTokens, long cacheReadTokens, long cacheWrite5mTokens, long cacheWrite1hTokens,
                          int status, String errorType, long latencyMs, Long ttfbMs, boolean clientAborted) {}
