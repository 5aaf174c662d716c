package dev.bsg.gateway;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/** The system clock, unless a test holds it still: per-minute limits then never see a minute boundary mid-test. */
public final class HeldClock extends Clock {
    private volatile Instant held;

    public void holdAt(Instant instant) {
        held = instant;
    }

    public void release() {
        held = null;
    }

    @Override
    public Instant instant() {
        Instant at = held;
        return at != null ? at : Instant.now();
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return this;
    }
}
