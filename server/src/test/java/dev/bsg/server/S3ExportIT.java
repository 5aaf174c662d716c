package dev.bsg.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bsg.gateway.AdminKeys;
import dev.bsg.gateway.ComposeProxy;
import dev.bsg.protocol.translate.Json;
import dev.bsg.simulator.BedrockSimulator;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * {@code bsg serve} exporting usage to a real S3-compatible server (S3Proxy, in its own JVM), configured only the
 * way an operator would: {@code export.to: s3://...}, the standard AWS variables and AWS_ENDPOINT_URL_S3. The objects
 * it wrote are fetched with the AWS SDK and queried with DuckDB against the gateway's own report.
 */
class S3ExportIT {
    private static final String ADMIN_KEY = "s3-export-admin-key-" + System.nanoTime();
    private static final String IDENTITY = "bsg-test-identity";
    private static final String CREDENTIAL = "bsg-test-credential-0123456789";
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @Test
    void bsgServeExportsParquetToAnS3CompatibleServer() throws Exception {
        Path dir = Files.createTempDirectory("bsg-s3-export");
        int s3Port = ComposeProxy.freePort();
        String s3Url = "http://127.0.0.1:" + s3Port;
        Process s3proxy = startS3Proxy(dir, s3Url);
        ServeProcess gateway = null;
        try (BedrockSimulator simulator = BedrockSimulator.start();
                S3Client s3 = S3Client.builder()
                        .httpClient(UrlConnectionHttpClient.create())
                        .endpointOverride(URI.create(s3Url))
                        .forcePathStyle(true)
                        .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                        .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                        .region(Region.US_EAST_1)
                        .credentialsProvider(
                                StaticCredentialsProvider.create(AwsBasicCredentials.create(IDENTITY, CREDENTIAL)))
                        .build()) {
            await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> s3.listBuckets() != null);
            s3.createBucket(b -> b.bucket("usage-lake"));

            Map<String, String> env = new HashMap<>(simulator.gatewayEnvironment());
            env.put("BSG_DATABASE__URL", "jdbc:sqlite:" + dir.resolve("bsg.db"));
            env.put("BSG_METERING__JOURNAL_DIR", dir.resolve("journal").toString());
            env.put("BSG_ADMIN__API_KEYS", ADMIN_KEY);
            env.put("BSG_UPSTREAM__REGIONS", "us-east-1");
            env.put("BSG_EXPORT__TO", "s3://usage-lake/exports/bsg");
            env.put("BSG_EXPORT__S3_PATH_STYLE", "true");
            env.put("AWS_ENDPOINT_URL_S3", s3Url);
            env.put("AWS_ACCESS_KEY_ID", IDENTITY);
            env.put("AWS_SECRET_ACCESS_KEY", CREDENTIAL);
            env.put("AWS_REGION", "us-east-1");
            gateway = ServeProcess.start(env, ComposeProxy.freePort(), ComposeProxy.freePort());
            String url = gateway.url();
            Path log = gateway.log();

            for (String email : List.of("ana@example.com", "ben@example.com")) {
                String key = AdminKeys.make(HTTP, url, ADMIN_KEY, email);
                for (int i = 0; i < 3; i++) assertThat(ask(url, key)).isEqualTo(200);
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> requests(url) == 6);

            JsonNode run = Json.MAPPER.readTree(admin(url, "POST", "/api/admin/usage/export"));
            assertThat(run.get("records").asLong()).as(Files.readString(log)).isEqualTo(6);

            // S3Proxy's filesystem store lists each folder as an empty object ending in "/": not ours.
            List<S3Object> objects =
                    s3.listObjectsV2(b -> b.bucket("usage-lake").prefix("exports/bsg/")).contents().stream()
                            .filter(object -> !object.key().endsWith("/"))
                            .toList();
            assertThat(objects)
                    .extracting(S3Object::key)
                    .allMatch(
                            k -> k.matches("exports/bsg/dt=\\d{4}-\\d{2}-\\d{2}/usage-[0-9T]+Z-[0-9a-f]{8}\\.parquet"))
                    .hasSize(run.get("files").size());
            Path local = Files.createDirectories(dir.resolve("download"));
            for (S3Object object : objects) {
                Path file = local.resolve(object.key());
                Files.createDirectories(file.getParent());
                s3.getObject(b -> b.bucket("usage-lake").key(object.key()), file);
            }

            BigDecimal reported = BigDecimal.ZERO;
            for (JsonNode row : Json.MAPPER
                    .readTree(admin(url, "GET", "/api/admin/usage?group_by=user"))
                    .get("data"))
                reported = reported.add(new BigDecimal(row.get("cost_usd").asText()));
            try (Connection duck = DriverManager.getConnection("jdbc:duckdb:");
                    ResultSet totals = duck.createStatement()
                            .executeQuery(
                                    "SELECT COUNT(*), COUNT(DISTINCT user_email), SUM(cost_usd) FROM read_parquet('"
                                            + local.resolve("exports/bsg")
                                            + "/*/*.parquet', hive_partitioning = true)")) {
                totals.next();
                assertThat(totals.getLong(1)).isEqualTo(6);
                assertThat(totals.getLong(2)).isEqualTo(2);
                assertThat(totals.getBigDecimal(3)).isEqualByComparingTo(reported);
            }
        } finally {
            if (gateway != null) gateway.stop();
            s3proxy.destroy();
            s3proxy.waitFor(30, TimeUnit.SECONDS);
        }
    }

    /** S3Proxy on the filesystem back-end, from the jars test-s3proxy laid out, with V4 signatures. */
    private static Process startS3Proxy(Path dir, String endpoint) throws Exception {
        Path lib = ComposeProxy.ROOT.resolve("test-s3proxy/target/lib");
        assertThat(lib).as("built by the test-s3proxy module (mvnw install)").isDirectory();
        Path data = Files.createDirectories(dir.resolve("s3-data"));
        Path properties = Files.writeString(
                dir.resolve("s3proxy.properties"),
                String.join(
                        "\n",
                        "s3proxy.endpoint=" + endpoint,
                        "s3proxy.authorization=aws-v2-or-v4",
                        "s3proxy.identity=" + IDENTITY,
                        "s3proxy.credential=" + CREDENTIAL,
                        "jclouds.provider=filesystem",
                        "jclouds.filesystem.basedir=" + data,
                        ""));
        return new ProcessBuilder(
                        ProcessHandle.current().info().command().orElse("java"),
                        "-cp",
                        lib + "/*",
                        "org.gaul.s3proxy.Main",
                        "--properties",
                        properties.toString())
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("s3proxy.log").toFile())
                .start();
    }

    private static int ask(String url, String key) throws Exception {
        return HTTP.send(
                        HttpRequest.newBuilder(URI.create(url + "/v1/messages"))
                                .header("x-api-key", key)
                                .header("anthropic-version", "2023-06-01")
                                .header("Content-Type", "application/json")
                                .POST(HttpRequest.BodyPublishers.ofString(
                                        "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":16,\"messages\":[{\"role\":"
                                                + "\"user\",\"content\":\"hi\"}]}"))
                                .build(),
                        HttpResponse.BodyHandlers.discarding())
                .statusCode();
    }

    private static long requests(String url) throws Exception {
        long total = 0;
        for (JsonNode row : Json.MAPPER
                .readTree(admin(url, "GET", "/api/admin/usage?group_by=user"))
                .get("data")) total += row.get("requests").asLong();
        return total;
    }

    private static String admin(String url, String method, String path) throws Exception {
        return HTTP.send(
                        HttpRequest.newBuilder(URI.create(url + path))
                                .header("Authorization", "Bearer " + ADMIN_KEY)
                                .method(method, HttpRequest.BodyPublishers.noBody())
                                .build(),
                        HttpResponse.BodyHandlers.ofString())
                .body();
    }
}
