package dev.bsg.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bsg.protocol.translate.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** {@code bsg package}: a bundle that runs without a Java installed, and installers that set up the AWS profile and Claude Code. */
class PackageCommandIT {
    static final String CONFIG = """
            telemetry:
              otlp_endpoint: https://otel.example.com:4318
            profiles:
              default:
                issuer: https://login.example.com/realms/company
                client_id: bedrock-cli
                federation: direct
                role_arn: arn:aws:iam::123456789012:role/BedrockDevelopers
                region: eu-west-1
            """;

    record Ran(int exit, String out, String err) {}

    static Ran run(Map<String, String> env, String... command) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().clear();
        builder.environment().putAll(env);
        Process process = builder.start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(120, TimeUnit.SECONDS)).isTrue();
        return new Ran(process.exitValue(), out, err);
    }

    @Test
    void theBundleRunsWithoutJavaAndItsInstallerSetsUpAwsAndClaudeCode() throws Exception {
        Path work = Files.createTempDirectory("bsg-package");
        Path config = work.resolve("org.yaml");
        Files.writeString(config, CONFIG);
        Path bundle = work.resolve("bundle");
        CliRun packaged = CliRun.bsg("package", "--config", config.toString(), "--out", bundle.toString());
        assertThat(packaged.exit()).as(packaged.err()).isZero();
        assertThat(packaged.err()).contains("building a trimmed Java runtime").contains("runtime ready");
        assertThat(bundle.resolve("runtime/bin/java")).isExecutable();
        assertThat(bundle.resolve("config.yaml")).hasContent(CONFIG);
        // The end-user tool only: no server, no database driver, no test library, whatever ran bsg package.
        try (Stream<Path> jars = Files.list(bundle.resolve("lib"))) {
            assertThat(jars.map(jar -> jar.getFileName().toString()).toList())
                    .contains("bsg.jar")
                    .anyMatch(name -> name.startsWith("bsg-identity-"))
                    .anyMatch(name -> name.startsWith("bsg-protocol-"))
                    .noneMatch(name -> name.matches(
                            "(jetty-server|bsg-gateway|bsg-simulator|bsg-server|mock-oauth2-server|postgresql|sqlite-jdbc|lettuce-core"
                                    + "|junit|assertj|selenium|netty|apache5?-client|HikariCP|flyway).*"));
        }
        assertThat(sizeInBytes(bundle)).as("the whole bundle, runtime included").isLessThan(50L * 1024 * 1024);
        // Not run here (no Windows): checked for what it must hold, in Windows line endings.
        String installPs1 = Files.readString(bundle.resolve("install.ps1"));
        assertThat(installPs1)
                .contains("[Alias(\"Profile\")][string]$BsgProfile = \"default\"")
                .contains("SetEnvironmentVariable(\"Path\"")
                .contains("setup bedrock --profile $BsgProfile")
                .doesNotContain("--profile $Profile")
                .contains("\r\n");
        assertThat(Files.readString(bundle.resolve("bsg.cmd")))
                .contains("dev.bsg.cli.Main %*")
                .contains("\r\n");

        // No Java on the PATH, no JAVA_HOME: the bundle brings its own.
        Map<String, String> bare =
                Map.of("PATH", "/usr/bin:/bin", "HOME", work.resolve("home").toString());
        Ran version = run(bare, bundle.resolve("bsg").toString(), "--version");
        assertThat(version.exit()).as(version.err()).isZero();
        assertThat(version.out()).contains("bsg 0.1.0");

        Path home = work.resolve("home");
        Map<String, String> user = Map.of(
                "PATH",
                "/usr/bin:/bin",
                "HOME",
                home.toString(),
                "BSG_INSTALL_DIR",
                home.resolve("apps/bsg").toString());
        for (int i = 0; i < 2; i++) {
            Ran installed = run(user, "sh", bundle.resolve("install.sh").toString());
            assertThat(installed.exit()).as(installed.out() + installed.err()).isZero();
        }
        String awsConfig = Files.readString(home.resolve(".aws/config"));
        assertThat(awsConfig)
                .contains("[profile bedrock]")
                .contains("credential_process = " + home.resolve("apps/bsg/bsg")
                        + " credential-process --profile default")
                .contains("region = eu-west-1");
        assertThat(awsConfig.split("\\[profile bedrock]", -1))
                .as("installing twice keeps one profile")
                .hasSize(2);
        JsonNode settings =
                Json.MAPPER.readTree(home.resolve(".claude/settings.json").toFile());
        assertThat(settings.at("/env/CLAUDE_CODE_USE_BEDROCK").asText()).isEqualTo("1");
        assertThat(settings.at("/env/AWS_PROFILE").asText()).isEqualTo("bedrock");
        assertThat(settings.at("/env/AWS_REGION").asText()).isEqualTo("eu-west-1");
        assertThat(settings.at("/env/OTEL_EXPORTER_OTLP_ENDPOINT").asText()).isEqualTo("https://otel.example.com:4318");
        assertThat(settings.at("/env/CLAUDE_CODE_ENABLE_TELEMETRY").asText()).isEqualTo("1");
        assertThat(settings.get("otelHeadersHelper").asText())
                .isEqualTo(home.resolve("apps/bsg/bsg") + " otel-headers --profile default");
        assertThat(settings.get("awsAuthRefresh").asText())
                .startsWith(home.resolve("apps/bsg/bsg") + " credential-process --profile default");
        assertThat(home.resolve(".local/bin/bsg")).isSymbolicLink();
        // The installed launcher finds the organisation config beside itself.
        Ran doctor = run(user, home.resolve("apps/bsg/bsg").toString(), "doctor", "--json");
        assertThat(doctor.out())
                .contains("\"check\" : \"config\"")
                .contains(home.resolve("apps/bsg/config.yaml").toString());
    }

    static long sizeInBytes(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile)
                    .mapToLong(file -> file.toFile().length())
                    .sum();
        }
    }

    @Test
    void aBadConfigIsRefusedBeforeAnythingIsBuilt() throws Exception {
        Path work = Files.createTempDirectory("bsg-package-bad");
        Path config = work.resolve("org.yaml");
        Files.writeString(
                config, CONFIG.replace("    role_arn: arn:aws:iam::123456789012:role/BedrockDevelopers\n", ""));
        CliRun refused = CliRun.bsg(
                "package",
                "--config",
                config.toString(),
                "--out",
                work.resolve("bundle").toString());
        assertThat(refused.exit()).isEqualTo(1);
        assertThat(refused.err()).contains("profiles.default.role_arn");
        assertThat(work.resolve("bundle")).doesNotExist();
    }
}
