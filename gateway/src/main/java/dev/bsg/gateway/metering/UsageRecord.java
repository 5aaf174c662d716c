package dev.bsg.gateway.metering;

import static dev.bsg.gateway.store.Columns.fit;

/** One metered request. {@code team} and {@code project} are settled by the writer, off the hot path. */
public record UsageRecord(
        long at,
        String requestId,
        String userId,
        String userEmail,
        String keyId,
        String groupsCsv,
        String sessionId,
        String agentId,
        String door,
        String operation,
        String modelAsked,
        String model,
        String region,
        long inputTokens,
        long outputTokens,
        long cacheReadTokens,
        long cacheWrite5mTokens,
        long cacheWrite1hTokens,
        long costNanos,
        String priceVersion,
        String team,
        String project,
        int status,
        String errorType,
        long latencyMs,
        Long ttfbMs,
        boolean clientAborted) {

    UsageRecord withTags(String team, String project) {
        return new UsageRecord(
                at,
                requestId,
                userId,
                userEmail,
                keyId,
                groupsCsv,
                sessionId,
                agentId,
                door,
                operation,
                modelAsked,
                model,
                region,
                inputTokens,
                outputTokens,
                cacheReadTokens,
                cacheWrite5mTokens,
                cacheWrite1hTokens,
                costNanos,
                priceVersion,
                team,
                project,
                status,
                errorType,
                latencyMs,
                ttfbMs,
                clientAborted);
    }

    /** The record cut to what its columns hold (V7, V8), so the database never refuses it for its size or a NUL. */
    UsageRecord bounded() {
        return new UsageRecord(
                at,
                fit(requestId, 64),
                fit(userId, 40),
                fit(userEmail, 320),
                fit(keyId, 40),
                fit(groupsCsv, 4000),
                fit(sessionId, 200),
                fit(agentId, 200),
                fit(door, 16),
                fit(operation, 40),
                fit(modelAsked, 400),
                fit(model, 400),
                fit(region, 32),
                inputTokens,
                outputTokens,
                cacheReadTokens,
                cacheWrite5mTokens,
                cacheWrite1hTokens,
                costNanos,
                fit(priceVersion, 40),
                fit(team, 200),
                fit(project, 200),
                status,
                fit(errorType, 100),
                latencyMs,
                ttfbMs,
                clientAborted);
    }

    Object[] columns() {
        return new Object[] {
            at,
            requestId,
            userId,
            userEmail,
            keyId,
            groupsCsv,
            sessionId,
            agentId,
            door,
            operation,
            modelAsked,
            model,
            region,
            inputTokens,
            outputTokens,
            cacheReadTokens,
            cacheWrite5mTokens,
            cacheWrite1hTokens,
            costNanos,
            priceVersion,
            team,
            project,
            status,
            errorType,
            latencyMs,
            ttfbMs,
            clientAborted
        };
    }

    static final String COLUMNS =
            "at, request_id, user_id, user_email, key_id, groups_csv, session_id, agent_id, door, operation, model_asked, model, region, "
                    + "input_tokens, output_tokens, cache_read_tokens, cache_write_5m_tokens, cache_write_1h_tokens, cost_nanos, price_version, team, project, "
                    + "status, error_type, latency_ms, ttfb_ms, client_aborted";
}
