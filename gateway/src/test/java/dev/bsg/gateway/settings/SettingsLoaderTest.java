package dev.bsg.gateway.settings;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bsg.gateway.core.Secrets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
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
        assertThatThrownBy(() -> SettingsLoader.load(yaml("server:\n  tls:\n    cert_file: a\n"), Map.of()))
                .as("an unknown key is named as unknown, even when it is a _file that can't be read")
                .hasMessageContaining("unknown config key server.tls.cert_file")
                .hasMessageNotContaining("can't be read");
        assertThatThrownBy(() -> SettingsLoader.load(null, Map.of("BSG_MODELS__ALLOWED_ACCOUNTS", "12345")))
                .hasMessageContaining("models.allowed_accounts")
                .hasMessageContaining("12-digit");
    }
}
