package dev.bsg.gateway.settings;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.bsg.gateway.core.Secrets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SettingsLoaderTest {
    @TempDir
    Path dir;

    Path yaml(String text) throws Exception {
        Path file = dir.resolve("gateway.yaml");
        Files.writeString(file, text);
        return file;
    }

    @Test
    void defaultsNeedNoConfigAtAll() {
        Settings settings = SettingsLoader.load(null, Map.of());
        assertThat(settings.server().host()).isEqualTo("127.0.0.1");
        assertThat(settings.server().port()).isEqualTo(8080);
        assertThat(settings.database().url()).isEqualTo("jdbc:sqlite:./data/bsg.db");
        assertThat(settings.upstream().regions()).containsExactly("us-east-1");
        assertThat(settings.upstream().credentialSource()).isEqualTo(Settings.CredentialSource.DEFAULT);
        assertThat(settings.models().regionPrefix()).isEqualTo("us");
        assertThat(settings.server().maxBodyBytes()).isEqualTo(32L * 1024 * 1024);
    }

    @Test
    void environmentOverridesYamlAndSecretsComeFromFiles() throws Exception {
        Path secret = dir.resolve("admin.key");
        Files.writeString(secret, "a-very-long-admin-key-from-a-file\n");
        Path file = yaml("""
                server:
                  port: 9000
                upstream:
                  regions: [eu-west-1, eu-central-1]
                  retries: 4
                admin:
                  api_keys_file: %s
                models:
                  aliases:
                    fast: claude-haiku-4-5
                """.formatted(secret));
        Settings settings = SettingsLoader.load(file, Map.of("BSG_SERVER__PORT", "9100", "AWS_REGION", "us-west-2"));
        assertThat(settings.server().port()).isEqualTo(9100);
        assertThat(settings.upstream().regions()).containsExactly("eu-west-1", "eu-central-1");
        assertThat(settings.upstream().retries()).isEqualTo(4);
        assertThat(settings.models().regionPrefix()).isEqualTo("eu");
        assertThat(settings.models().aliases()).containsEntry("fast", "claude-haiku-4-5");
        assertThat(settings.admin().apiKeyHashes())
                .containsExactly(Secrets.sha256("a-very-long-admin-key-from-a-file"));
    }

    @Test
    void standardAwsEndpointVariablesAreHonoured() {
        assertThat(SettingsLoader.load(null, Map.of("AWS_ENDPOINT_URL", "http://localhost:4566"))
                        .upstream()
                        .endpoint())
                .hasToString("http://localhost:4566");
        assertThat(SettingsLoader.load(
                                null,
                                Map.of(
                                        "AWS_ENDPOINT_URL",
                                        "http://a:1",
                                        "AWS_ENDPOINT_URL_BEDROCK_RUNTIME",
                                        "http://b:2"))
                        .upstream()
                        .endpoint())
                .hasToString("http://b:2");
    }

    @Test
    void postgresUrlsBecomeJdbc() {
        assertThat(SettingsLoader.load(
                                null,
                                Map.of(
                                        "BSG_DATABASE__URL",
                                        "postgres://bsg:s3cret@db.internal:5433/gateway?sslmode=require"))
                        .database()
                        .url())
                .isEqualTo("jdbc:postgresql://db.internal:5433/gateway?user=bsg&password=s3cret&sslmode=require");
    }

    @Test
    void badValuesNameTheKeyTheValueAndTheFix() throws Exception {
        assertThatThrownBy(() -> SettingsLoader.load(null, Map.of("BSG_SERVER__PORT", "eighty")))
                .hasMessage("config key server.port: value 'eighty' is not usable: use a whole number from 0 to 65535");
        assertThatThrownBy(() -> SettingsLoader.load(null, Map.of("BSG_UPSTREAM__REGIONS", "us-east")))
                .hasMessageContaining("upstream.regions")
                .hasMessageContaining("us-east-1");
        assertThatThrownBy(() -> SettingsLoader.load(null, Map.of("BSG_UPSTREAM__CREDENTIALS", "static")))
                .hasMessageContaining("upstream.access_key_id");
        assertThatThrownBy(() -> SettingsLoader.load(null, Map.of("BSG_DATABASE__URL", "mysql://x")))
                .hasMessageContaining("database.url")
                .hasMessageContaining("jdbc:sqlite:");
        assertThatThrownBy(() -> SettingsLoader.load(null, Map.of("BSG_ADMIN__API_KEYS", "short")))
                .hasMessageContaining("at least 16 characters")
                .hasMessageNotContaining("short");
        assertThatThrownBy(() -> SettingsLoader.load(yaml("server:\n  prot: 1\n"), Map.of()))
                .hasMessageContaining("unknown config key server.prot");
        assertThatThrownBy(() -> SettingsLoader.load(yaml("server: [unclosed"), Map.of()))
                .hasMessageContaining("not valid YAML");
        assertThatThrownBy(() -> SettingsLoader.load(dir.resolve("missing.yaml"), Map.of()))
                .hasMessageContaining("does not exist");
        assertThatThrownBy(() -> SettingsLoader.load(null, Map.of("BSG_ADMIN__API_KEYS_FILE", "/nonexistent/key")))
                .hasMessageContaining("admin.api_keys_file")
                .hasMessageContaining("can't be read");
        assertThatThrownBy(() -> SettingsLoader.load(yaml("server:\n  tsl:\n    cert_file: a\n"), Map.of()))
                .as("an unknown key is named as unknown, even when it is a _file that can't be read")
                .hasMessageContaining("unknown config key server.tsl.cert_file")
                .hasMessageNotContaining("can't be read");
        assertThatThrownBy(() -> SettingsLoader.load(null, Map.of("BSG_MODELS__ALLOWED_ACCOUNTS", "12345")))
                .hasMessageContaining("models.allowed_accounts")
                .hasMessageContaining("12-digit");
    }

    @Test
    void valuesOfTheWrongShapeAreRefusedWithTheKeyTheyStandAt() throws Exception {
        assertThatThrownBy(() -> SettingsLoader.load(yaml("server:\n  port: [8080]\n"), Map.of()))
                .hasMessage("config key server.port: value '[8080]' is not usable: use a whole number from 0 to 65535");
        assertThatThrownBy(() -> SettingsLoader.load(yaml("server: 8080\n"), Map.of()))
                .hasMessageContaining("config key server: value '8080'")
                .hasMessageContaining("expected a section");
        assertThatThrownBy(() -> SettingsLoader.load(yaml("oidc:\n  client_id: {a: 1}\n"), Map.of()))
                .hasMessageContaining("oidc.client_id")
                .hasMessageContaining("single value");
        assertThatThrownBy(() -> SettingsLoader.load(yaml("admin:\n  emails: [[a@example.com]]\n"), Map.of()))
                .hasMessageContaining("admin.emails")
                .hasMessageContaining("plain values");
        assertThatThrownBy(() -> SettingsLoader.load(null, Map.of("BSG_METERING__ENABLED", "maybe")))
                .hasMessage("config key metering.enabled: value 'maybe' is not usable: use true or false");
        assertThatThrownBy(() -> SettingsLoader.load(null, Map.of("BSG_SERVER__MAX_BODY_BYTES", "99999999999GB")))
                .hasMessageContaining("server.max_body_bytes")
                .hasMessageContaining("512KB");
        assertThatThrownBy(() -> SettingsLoader.load(null, Map.of("BSG_SESSION__TTL_MINUTES", "0")))
                .hasMessage(
                        "config key session.ttl_minutes: value '0' is not usable: use a whole number from 1 to 1440");
        assertThatThrownBy(() ->
                        SettingsLoader.load(yaml("limits:\n  groups:\n    eng: {requests_per_minute: -1}\n"), Map.of()))
                .hasMessageContaining("limits.groups.eng.requests_per_minute");
        assertThatThrownBy(() -> SettingsLoader.load(yaml("limits:\n  key: {concurrent_requests: 3}\n"), Map.of()))
                .as("only the user section caps requests in flight")
                .hasMessageContaining("unknown config key limits.key.concurrent_requests");
        assertThatThrownBy(() -> SettingsLoader.load(yaml("models:\n  catalog:\n    - {id: x}\n"), Map.of()))
                .hasMessageContaining("models.catalog[0]")
                .hasMessageContaining("bedrock_id");
        assertThatThrownBy(() ->
                        SettingsLoader.load(null, Map.of("BSG_SERVER__TRUSTED_PROXIES", "10.0.0.0/8, lb.internal")))
                .hasMessage("config key server.trusted_proxies: value 'lb.internal' is not usable: list the proxies'"
                        + " networks in CIDR form, such as 10.0.0.0/8 or 2001:db8::/32");
        assertThatThrownBy(() -> SettingsLoader.load(yaml("- a\n- b\n"), Map.of()))
                .hasMessageContaining("not a YAML mapping");
    }

    @Test
    void environmentValuesBindLikeYamlOnes() throws Exception {
        Settings settings = SettingsLoader.load(
                yaml("""
                        server: {host: "  0.0.0.0  "}
                        limits:
                          user: {concurrent_requests: 4}
                          groups:
                            eng: {requests_per_minute: 60}
                        models:
                          catalog:
                            - {id: claude-internal, bedrock_id: anthropic.claude-internal-v1:0}
                        """),
                Map.of(
                        "BSG_ADMIN__EMAILS", "Ada@Example.com, bob@example.com",
                        "BSG_METERING__ENABLED", "no",
                        "BSG_SERVER__MAX_BODY_BYTES", "512KB",
                        "BSG_SERVER__PORT", "",
                        "BSG_UPSTREAM__HTTP_VERSION", "1.1"));
        assertThat(settings.server().host()).isEqualTo("0.0.0.0");
        assertThat(settings.server().port())
                .as("a blank variable leaves the default")
                .isEqualTo(8080);
        assertThat(settings.server().maxBodyBytes()).isEqualTo(512 * 1024);
        assertThat(settings.admin().emails()).containsExactlyInAnyOrder("ada@example.com", "bob@example.com");
        assertThat(settings.metering().enabled()).isFalse();
        assertThat(settings.upstream().http2()).isFalse();
        assertThat(settings.limits().userConcurrency()).isEqualTo(4);
        assertThat(settings.limits().groups().get("eng")).isEqualTo(new Settings.Rate(60, 0));
        assertThat(settings.models().extraEntries())
                .singleElement()
                .satisfies(entry -> assertThat(entry.displayName()).isEqualTo("claude-internal"));
    }

    @Test
    void aPriceFileIsAFileNotASecretToReadIn() throws Exception {
        Path prices = dir.resolve("prices.csv");
        Files.writeString(prices, "not,a,price,list\n");
        assertThatThrownBy(() -> SettingsLoader.load(null, Map.of("BSG_PRICING__CSV_FILE", prices.toString())))
                .hasMessageContaining("pricing.csv_file");
        assertThatThrownBy(() -> SettingsLoader.load(
                        null,
                        Map.of("BSG_PRICING__CSV_FILE", dir.resolve("none.csv").toString())))
                .hasMessageContaining("pricing.csv_file")
                .hasMessageContaining("can't be read");
    }

    @Test
    void everyKeyTheGatewayKnowsIsDocumentedInTheReadme() throws Exception {
        ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
        JsonNode defaults;
        try (var in = SettingsLoader.class.getResourceAsStream("defaults.yaml")) {
            defaults = yaml.readTree(in);
        }
        String readme = Files.readString(
                Path.of(System.getenv().getOrDefault("BSG_REPO_ROOT", "..")).resolve("README.md"));
        int start = readme.indexOf("```yaml\nserver:");
        JsonNode documented = yaml.readTree(readme.substring(start + 8, readme.indexOf("```", start + 8)));
        assertThat(keys(documented, "")).isEqualTo(keys(defaults, ""));
    }

    /** Section keys, with a secret's {@code _file} form counted as the key it fills. */
    private static Set<String> keys(JsonNode node, String prefix) {
        Set<String> keys = new TreeSet<>();
        node.fields().forEachRemaining(entry -> {
            String key = prefix + entry.getKey();
            boolean open = Set.of("limits.groups", "models.aliases", "policies", "models.catalog")
                    .contains(key);
            if (entry.getValue().isObject() && !open) keys.addAll(keys(entry.getValue(), key + "."));
            else keys.add(key.equals("session.jwt_key_file") ? "session.jwt_key" : key);
        });
        return keys;
    }
}
