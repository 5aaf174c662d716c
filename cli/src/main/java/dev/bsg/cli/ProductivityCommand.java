package dev.bsg.cli;

import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

@Command(
        name = "productivity",
        mixinStandardHelpOptions = true,
        description = "Claude Code's own telemetry per person (or day) beside metered spend: sessions, active hours,"
                + " lines, commits, pull requests, edit decisions (e.g. bsg admin productivity --period 30d).")
final class ProductivityCommand implements Callable<Integer> {
    /** The report's measures as the gateway answers them (a test holds this to its ProductivityApi.MEASURES). */
    static final List<String> MEASURES = List.of(
            "sessions",
            "active_hours",
            "lines_added",
            "lines_removed",
            "commits",
            "pull_requests",
            "edits_accepted",
            "edits_rejected",
            "claude_code_cost_usd",
            "requests",
            "cost_usd");

    @ParentCommand
    AdminCommand admin;

    @Option(names = "--period", description = "The last N days including today (7d). Default: 30d.")
    String period;

    @Option(names = "--from", description = "First day (2026-11-01), instead of --period.")
    String from;

    @Option(names = "--to", description = "Last day, inclusive. Default: today.")
    String to;

    @Option(names = "--by", description = "user (default) or day.")
    String by = "user";

    @Override
    public Integer call() {
        if (!by.equals("user") && !by.equals("day")) throw new CliException("--by " + by + ": use user or day");
        List<String> query = new ArrayList<>();
        query.add("from=" + (from != null ? from : firstDay(period == null ? "30d" : period)));
        if (to != null) query.add("to=" + to);
        query.add("group_by=" + by);
        List<String> columns = new ArrayList<>(List.of(by));
        columns.addAll(MEASURES);
        admin.print(admin.call("GET", "/api/admin/productivity?" + String.join("&", query), null), columns);
        return 0;
    }

    private static String firstDay(String period) {
        if (!period.matches("^[1-9][0-9]{0,4}d$"))
            throw new CliException("--period " + period + ": use a number of days, such as 7d or 30d");
        return LocalDate.now(ZoneOffset.UTC)
                .minusDays(Long.parseLong(period.substring(0, period.length() - 1)) - 1)
                .toString();
    }
}
