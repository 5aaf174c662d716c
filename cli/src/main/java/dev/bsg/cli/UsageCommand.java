package dev.bsg.cli;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

@Command(
        name = "usage",
        mixinStandardHelpOptions = true,
        description = "Usage and cost, grouped (e.g. bsg admin usage --period 7d --by user,model).")
final class UsageCommand implements Callable<Integer> {
    @ParentCommand
    AdminCommand admin;

    @Option(
            names = "--period",
            description = "The last N days (7d) including today, or the last N hours (24h). Default: 7d.")
    String period;

    @Option(names = "--from", description = "Start, a date (2026-11-01) or ISO-8601 time; instead of --period.")
    String from;

    @Option(names = "--to", description = "End (exclusive), a date or ISO-8601 time. Default: now.")
    String to;

    @Option(names = "--by", split = ",", description = "Group by any of user, team, project, model, region, day, door.")
    List<String> by = new ArrayList<>();

    @Option(names = "--user", description = "Only this user (email).")
    String user;

    @Option(names = "--team", description = "Only this team.")
    String team;

    @Option(names = "--project", description = "Only this project.")
    String project;

    @Option(names = "--model", description = "Only this model.")
    String model;

    @Option(names = "--csv", description = "Print CSV instead of a table.")
    boolean csv;

    @Override
    public Integer call() {
        List<String> query = new ArrayList<>();
        query.add("from=" + (from != null ? from : start(period == null ? "7d" : period)));
        if (to != null) query.add("to=" + to);
        if (!by.isEmpty()) query.add("group_by=" + String.join(",", by));
        for (String[] filter :
                new String[][] {{"user", user}, {"team", team}, {"project", project}, {"model", model}}) {
            if (filter[1] != null) query.add(filter[0] + "=" + URLEncoder.encode(filter[1], StandardCharsets.UTF_8));
        }
        String path = "/api/admin/usage?" + String.join("&", query);
        if (csv) {
            System.out.print(new String(
                    admin.send("GET", path + "&format=csv", "application/json", null)
                            .body(),
                    StandardCharsets.UTF_8));
            return 0;
        }
        List<String> columns = new ArrayList<>(by);
        columns.addAll(Arrays.asList(
                "requests",
                "errors",
                "input_tokens",
                "output_tokens",
                "cache_read_tokens",
                "cache_write_5m_tokens",
                "cost_usd"));
        admin.print(admin.call("GET", path, null), columns);
        return 0;
    }

    /** 7d → the start of the day six days ago (whole days read the rollups); 24h → that many hours ago. */
    static String start(String period) {
        if (period.matches("^[1-9][0-9]{0,4}d$")) {
            return LocalDate.now(ZoneOffset.UTC)
                    .minusDays(Long.parseLong(period.substring(0, period.length() - 1)) - 1)
                    .toString();
        }
        if (period.matches("^[1-9][0-9]{0,5}h$")) {
            return Instant.now()
                    .minusSeconds(3600 * Long.parseLong(period.substring(0, period.length() - 1)))
                    .truncatedTo(ChronoUnit.SECONDS)
                    .toString();
        }
        throw new CliException("--period " + period + ": use a number of days or hours, such as 7d, 30d or 24h");
    }
}
