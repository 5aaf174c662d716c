package dev.bsg.simulator;

import java.time.Duration;

/**
 * A scripted reply: what the model says (text, optionally after a thinking block, or a tool call),
 * how it is paced, and the usage it reports.
 */
public record Reply(
        String text,
        String thinking,
        String toolName,
        String toolInputJson,
        int deltas,
        Duration firstByte,
        Duration gap,
        Duration silence,
        int cacheReadTokens,
        int cacheWriteTokens) {

    public static Reply text(String text) {
        return new Reply(text, null, null, null, 4, Duration.ZERO, Duration.ZERO, Duration.ofSeconds(12), 0, 0);
    }

    public Reply withDeltas(int count) {
        return new Reply(
                text,
                thinking,
                toolName,
                toolInputJson,
                Math.max(1, count),
                firstByte,
                gap,
                silence,
                cacheReadTokens,
                cacheWriteTokens);
    }

    public Reply withPacing(Duration firstByte, Duration gap) {
        return new Reply(
                text,
                thinking,
                toolName,
                toolInputJson,
                deltas,
                firstByte,
                gap,
                silence,
                cacheReadTokens,
                cacheWriteTokens);
    }

    public Reply withSilence(Duration silence) {
        return new Reply(
                text,
                thinking,
                toolName,
                toolInputJson,
                deltas,
                firstByte,
                gap,
                silence,
                cacheReadTokens,
                cacheWriteTokens);
    }

    public Reply withThinking(String thinking) {
        return new Reply(
                text,
                thinking,
                toolName,
                toolInputJson,
                deltas,
                firstByte,
                gap,
                silence,
                cacheReadTokens,
                cacheWriteTokens);
    }

    public Reply withToolUse(String name, String inputJson) {
        return new Reply(
                text, thinking, name, inputJson, deltas, firstByte, gap, silence, cacheReadTokens, cacheWriteTokens);
    }

    public Reply withCache(int read, int write) {
        return new Reply(text, thinking, toolName, toolInputJson, deltas, firstByte, gap, silence, read, write);
    }

    /** The text cut into {@code deltas} pieces of nearly equal length. */
    String[] textPieces() {
        int count = Math.min(deltas, Math.max(1, text.length()));
        String[] pieces = new String[count];
        int at = 0;
        for (int i = 0; i < count; i++) {
            int end = text.length() * (i + 1) / count;
            pieces[i] = text.substring(at, end);
            at = end;
        }
        return pieces;
    }

    int outputTokens() {
        int chars = text.length()
                + (thinking == null ? 0 : thinking.length())
                + (toolInputJson == null ? 0 : toolInputJson.length());
        return Math.max(1, chars / 4);
    }
}
