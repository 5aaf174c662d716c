package dev.bsg.bench;

import dev.bsg.gateway.Gateway;
import dev.bsg.gateway.settings.SettingsLoader;
import dev.bsg.gateway.store.User;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * How fast the console's pages answer with a company's worth of data: 10,000 people with a key each and 1,000,000
 * usage records over the last 30 days (with their daily rollups) in PostgreSQL. Each page is asked 20 times to warm
 * up, then 50 times one after another over loopback; prints median and 95th percentile as a Markdown table.
 *
 * <p>Usage: ConsoleLoad [postgres base URL, default jdbc:postgresql://127.0.0.1:5432/] [people] [records]
 */
public final class ConsoleLoad {
    private static final String DATABASE = "bsg_console_bench";

    private ConsoleLoad() {}

    public static void main(String[] args) throws Exception {
        String base = args.length > 0 ? args[0] : "jdbc:postgresql://127.0.0.1:5432/";
        int people = args.length > 1 ? Integer.parseInt(args[1]) : 10_000;
        int records = args.length > 2 ? Integer.parseInt(args[2]) : 1_000_000;
        try (Connection admin = DriverManager.getConnection(base + "postgres?user=postgres");
                Statement s = admin.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS " + DATABASE);
            s.execute("CREATE DATABASE " + DATABASE);
        }
        String url = base + DATABASE + "?user=postgres";
        Gateway gateway = new Gateway(SettingsLoader.load(
                        null,
                        Map.of(
                                "BSG_DATABASE__URL", url,
                                "BSG_SERVER__PORT", "0",
                                "BSG_SERVER__MANAGEMENT_PORT", "-1",
                                "BSG_ADMIN__EMAILS", "admin@bench.example",
                                "BSG_UPSTREAM__ENDPOINT", "http://127.0.0.1:9",
                                "BSG_UPSTREAM__CREDENTIALS", "static",
                                "BSG_UPSTREAM__ACCESS_KEY_ID", "AKIDBENCH",
                                "BSG_UPSTREAM__SECRET_ACCESS_KEY", "bench-secret")))
                .start();
        try {
            long started = System.nanoTime();
            try (Connection c = DriverManager.getConnection(url)) {
                seed(c, people, records);
            }
            System.err.printf(
                    Locale.ROOT,
                    "bench: seeded %,d people and %,d usage records in %.1f s%n",
                    people,
                    records,
                    (System.nanoTime() - started) / 1e9);
            User admin = gateway.users().findOrCreate("admin@bench.example", "Admin");
            User someone = gateway.users().byEmail("user42@bench.example").orElseThrow();
            String adminCookie = "bsg_session="
                    + gateway.sessions().start(admin, "admin", List.of()).accessToken();
            String personCookie = "bsg_session="
                    + gateway.sessions()
                            .start(someone, "user42", List.of("eng"))
                            .accessToken();
            HttpClient http = HttpClient.newHttpClient();
            System.out.println("| page | median | p95 |");
            System.out.println("|---|---|---|");
            for (String page : List.of("/", "/keys", "/connect")) measure(http, gateway.url(), page, personCookie);
            for (String page : List.of(
                    "/admin/users",
                    "/admin/users?q=user42",
                    "/admin/users/" + someone.id(),
                    "/admin/keys",
                    "/admin/keys?user=user42",
                    "/admin/usage",
                    "/admin/usage?group=day",
                    "/admin/usage?group=team&group=model",
                    "/admin/usage.csv?group=user",
                    "/admin/limits",
                    "/admin/settings?email=user42@bench.example",
                    "/admin/audit")) measure(http, gateway.url(), page, adminCookie);
        } finally {
            gateway.close();
        }
    }

    private static void measure(HttpClient http, String url, String page, String cookie) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(url + page))
                .header("Cookie", cookie)
                .build();
        for (int i = 0; i < 20; i++) check(page, http.send(request, HttpResponse.BodyHandlers.ofByteArray()));
        long[] nanos = new long[50];
        for (int i = 0; i < nanos.length; i++) {
            long start = System.nanoTime();
            check(page, http.send(request, HttpResponse.BodyHandlers.ofByteArray()));
            nanos[i] = System.nanoTime() - start;
        }
        Arrays.sort(nanos);
        System.out.printf(
                Locale.ROOT,
                "| `%s` | %.1f ms | %.1f ms |%n",
                page,
                nanos[nanos.length / 2] / 1e6,
                nanos[(int) (nanos.length * 0.95)] / 1e6);
    }

    private static void check(String page, HttpResponse<byte[]> response) {
        if (response.statusCode() != 200) throw new IllegalStateException(page + " answered " + response.statusCode());
    }

    /** Generated in the database itself (generate_series), then rolled up as the usage writer would. */
    private static void seed(Connection c, int people, int records) throws SQLException {
        long now = System.currentTimeMillis();
        List<String> statements = new ArrayList<>();
        statements.add("INSERT INTO users (id, email, name, disabled, created_at, updated_at, team, groups_csv) "
                + "SELECT 'usr_bench_' || g, 'user' || g || '@bench.example', 'User ' || g, false, 0, 0, "
                + "'team' || (g % 50), 'eng,group' || (g % 20) FROM generate_series(1, " + people + ") g");
        statements.add("INSERT INTO api_keys (id, user_id, name, key_hash, key_hint, created_at, team, project) "
                + "SELECT 'key_bench_' || g, 'usr_bench_' || g, 'laptop', md5('k' || g) || md5('h' || g), "
                + "'SSOK_...' || (g % 10000), 0, 'team' || (g % 50), 'project' || (g % 200) "
                + "FROM generate_series(1, " + people + ") g");
        statements.add("INSERT INTO usage_records (request_id, at, user_id, user_email, key_id, door, operation, "
                + "model_asked, model, region, input_tokens, output_tokens, cache_read_tokens, cache_write_5m_tokens, "
                + "cache_write_1h_tokens, status, latency_ms, ttfb_ms, client_aborted, cost_nanos, price_version, team, "
                + "project) SELECT 'req_bench_' || g, " + now
                + " - (g % 30)::bigint * 86400000 - (g % 86400)::bigint * 1000, "
                + "'usr_bench_' || (g % " + people + " + 1), 'user' || (g % " + people + " + 1) || '@bench.example', "
                + "'key_bench_' || (g % " + people + " + 1), 'anthropic', 'messages', 'claude-sonnet-4-6', "
                + "(ARRAY['claude-sonnet-4-6','claude-haiku-4-5','claude-opus-4-8'])[g % 3 + 1], 'us-east-1', "
                + "1000 + g % 5000, 200 + g % 800, g % 3000, g % 500, 0, CASE WHEN g % 97 = 0 THEN 429 ELSE 200 END, "
                + "900, 300, false, 5000000 + (g % 1000) * 10000, 'bench', 'team' || ((g % " + people + " + 1) % 50), "
                + "'project' || ((g % " + people + " + 1) % 200) FROM generate_series(1, " + records + ") g");
        statements.add(
                "INSERT INTO usage_daily SELECT to_char(to_timestamp(at / 1000) AT TIME ZONE 'UTC', 'YYYY-MM-DD'), "
                        + "user_id, user_email, COALESCE(team, ''), COALESCE(project, ''), COALESCE(model, ''), "
                        + "COALESCE(region, ''), door, COUNT(*), SUM(CASE WHEN status >= 400 THEN 1 ELSE 0 END), "
                        + "SUM(input_tokens), SUM(output_tokens), SUM(cache_read_tokens), SUM(cache_write_5m_tokens), "
                        + "SUM(cache_write_1h_tokens), SUM(cost_nanos) FROM usage_records GROUP BY 1, 2, 3, 4, 5, 6, 7, 8");
        statements.add(
                "UPDATE api_keys SET last_used_at = used.at FROM (SELECT key_id, MAX(at) AS at FROM usage_records "
                        + "GROUP BY key_id) used WHERE api_keys.id = used.key_id");
        statements.add("ANALYZE");
        try (Statement s = c.createStatement()) {
            for (String statement : statements) s.execute(statement);
            try (ResultSet count = s.executeQuery("SELECT COUNT(*) FROM usage_daily")) {
                count.next();
                System.err.printf(Locale.ROOT, "bench: %,d daily rollup rows%n", count.getLong(1));
            }
        }
    }
}
