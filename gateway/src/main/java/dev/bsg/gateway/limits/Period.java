package dev.bsg.gateway.limits;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.TemporalAdjusters;
import java.util.Locale;

/** A spend-limit period, on UTC boundaries; weeks start on Monday. */
public enum Period {
    DAILY,
    WEEKLY,
    MONTHLY;

    public String apiName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Period parse(String text) {
        for (Period period : values()) if (period.apiName().equals(text)) return period;
        return null;
    }

    public LocalDate start(Instant now) {
        LocalDate today = now.atOffset(ZoneOffset.UTC).toLocalDate();
        return switch (this) {
            case DAILY -> today;
            case WEEKLY -> today.with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY));
            case MONTHLY -> today.withDayOfMonth(1);
        };
    }

    /** When the current period ends and a new one starts. */
    public Instant reset(Instant now) {
        LocalDate start = start(now);
        LocalDate next = switch (this) {
            case DAILY -> start.plusDays(1);
            case WEEKLY -> start.plusWeeks(1);
            case MONTHLY -> start.plusMonths(1);
        };
        return next.atStartOfDay().toInstant(ZoneOffset.UTC);
    }
}
