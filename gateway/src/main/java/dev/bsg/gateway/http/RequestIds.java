package dev.bsg.gateway.http;

import java.security.SecureRandom;
import java.util.concurrent.atomic.AtomicLong;

/** Request IDs unique across instances (a random instance part) and cheap per request (a counter). */
final class RequestIds {
    private static final String INSTANCE = Long.toString(new SecureRandom().nextLong() & Long.MAX_VALUE, 36);
    private static final AtomicLong COUNTER = new AtomicLong();

    private RequestIds() {}

    static String next() {
        return "req_" + INSTANCE + Long.toString(COUNTER.incrementAndGet(), 36);
    }
}
