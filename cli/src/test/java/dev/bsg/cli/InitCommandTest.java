package dev.bsg.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.bsg.gateway.settings.Settings;
import dev.bsg.gateway.settings.SettingsLoader;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InitCommandTest {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final Path TEMPLATES =
            Path.of(System.getenv().getOrDefault("BSG_REPO_ROOT", "..")).resolve("deploy/aws");

    @TempDir
    Path dir;

    private CliRun init(String... flags) {
        List<String> args = new ArrayList<>(List.of("init", "--dir", dir.toString(), "--non-interactive"));
        args.addAll(List.of(flags));
        return CliRun.bsg(args.toArray(String[]::new));
    }

    @Test
    void nonInteractiveWritesAWorkingGatewayConfigAnOrgConfigAndTheTemplatesParameters() throws Exception {
        CliRun run = init(
                "--path",
                "both",
                "--issuer",
                "https://login.example.com/realms/acme",
                "--client-id",
                "bsg-cli",
                "--regions",
                "eu-west-1,eu-central-1",
                "--models",
                "claude-sonnet-4-5,claude-haiku-4-5",
                "--account",
                "210987654321",
                "--public-url",
                "https://claude.acme.example",
                "--database-url",
                "jdbc:postgresql://db.internal:5432/bsg",
                "--admin-emails",
                "ops@acme.example");
        assertThat(run.exit()).as(run.err()).isZero();

        Settings settings = SettingsLoader.load(dir.resolve("gateway.yaml"), Map.of());
        assertThat(settings.upstream().regions()).containsExactly("eu-west-1", "eu-central-1");
        assertThat(settings.oidc().issuer()).isEqualTo("https://login.example.com/realms/acme");
        assertThat(Files.readString(dir.resolve("gateway.yaml")))
                .contains("availableModels")
                .contains("claude-haiku-4-5")
                .contains("https://claude.acme.example");

        AwsProfile profile = AwsProfile.load(dir.resolve("org.yaml"), "default");
        assertThat(profile.federation()).isEqualTo("direct");
        assertThat(profile.roleArn()).isEqualTo("arn:aws:iam::210987654321:role/bsg-direct");
        assertThat(profile.region()).isEqualTo("eu-west-1");

        for (String template : List.of("gateway-role", "direct-oidc")) {
            JsonNode parameters =
                    new ObjectMapper().readTree(Files.readString(dir.resolve("aws/" + template + ".parameters.json")));
            JsonNode declared = YAML.readTree(
                            TEMPLATES.resolve(template + ".yaml").toFile())
                    .path("Parameters");
            assertThat(parameters).isNotEmpty();
            parameters.forEach(
                    p -> assertThat(declared.has(p.path("ParameterKey").asText()))
                            .as(template + " declares " + p)
                            .isTrue());
        }
        assertThat(run.out())
                .contains("aws cloudformation deploy --stack-name bsg-gateway-role --template-file")
                .contains("--capabilities CAPABILITY_NAMED_IAM --parameter-overrides Regions=eu-west-1,eu-central-1")
                .contains("IssuerUrl=https://login.example.com/realms/acme ClientId=bsg-cli")
                .contains("bsg serve --config")
                .contains("bsg package --config");
    }

    @Test
    void reRunningEditsWhatItAsksAboutAndKeepsEverythingElse() throws Exception {
        assertThat(init(
                                "--path",
                                "gateway",
                                "--issuer",
                                "https://idp.example.com",
                                "--client-id",
                                "bsg",
                                "--account",
                                "123456789012")
                        .exit())
                .isZero();
        Path gateway = dir.resolve("gateway.yaml");
        String first = Files.readString(gateway);
        Files.writeString(gateway, first + """
                limits:
                  user: {requests_per_minute: 99}
                """);
        Files.writeString(gateway, Files.readString(gateway).replace("policies:\n", """
                policies:
                - match: {groups: [contractors]}
                  settings: {availableModels: [claude-haiku-4-5]}
                """));

        CliRun again = init("--regions", "ap-northeast-1", "--models", "claude-opus-4-1");
        assertThat(again.exit()).as(again.err()).isZero();
        Settings settings = SettingsLoader.load(gateway, Map.of());
        assertThat(settings.upstream().regions()).containsExactly("ap-northeast-1");
        assertThat(settings.oidc().issuer()).as("kept from the first run").isEqualTo("https://idp.example.com");
        assertThat(settings.limits().user().requestsPerMinute())
                .as("a key init never asks about")
                .isEqualTo(99);
        JsonNode policies = YAML.readTree(gateway.toFile()).path("policies");
        assertThat(policies.toString()).contains("contractors").contains("claude-opus-4-1");
        assertThat(policies).hasSize(2);
        assertThat(Files.readString(dir.resolve("gateway.yaml.bak"))).contains("requests_per_minute: 99");
        assertThat(again.out()).contains("updated:");

        assertThat(init().out()).as("nothing asked, nothing changed").contains("unchanged:");
    }

    @Test
    void interactiveAsksWithTheCurrentValuesAsDefaultsAndRefusesBadAnswers() throws Exception {
        String answers = """
                direct
                not a url
                https://idp.example.com/realms/x
                bsg-cli


                12345
                123456789012
                cognito

                """;
        InputStream stdin = System.in;
        CliRun run;
        try {
            System.setIn(new ByteArrayInputStream(answers.getBytes(StandardCharsets.UTF_8)));
            run = CliRun.bsg("init", "--dir", dir.toString());
        } finally {
            System.setIn(stdin);
        }
        assertThat(run.exit()).as(run.out() + run.err()).isZero();
        assertThat(run.out())
                .contains("Identity provider issuer URL:")
                .contains("that is not usable: give an https:// URL")
                .contains("Bedrock regions, in failover order [us-east-1,us-west-2]:")
                .contains("that is not usable: give the 12-digit AWS account id")
                .contains("stack-name bsg-direct-cognito")
                .contains("--identity-pool-id");
        assertThat(Files.exists(dir.resolve("gateway.yaml")))
                .as("direct only: no gateway")
                .isFalse();
        JsonNode profile =
                YAML.readTree(dir.resolve("org.yaml").toFile()).path("profiles").path("default");
        assertThat(profile.path("federation").asText()).isEqualTo("cognito");
        assertThat(profile.has("identity_pool_id")).isFalse();

        CliRun pool = init("--identity-pool-id", "us-east-1:11111111-2222-3333-4444-555555555555");
        assertThat(pool.exit()).as(pool.err()).isZero();
        assertThat(AwsProfile.load(dir.resolve("org.yaml"), "default").identityPoolId())
                .isEqualTo("us-east-1:11111111-2222-3333-4444-555555555555");
    }

    @Test
    void missingOrBadAnswersSayWhichFlagAndWhatItTakes() {
        CliRun missing = init("--path", "gateway");
        assertThat(missing.exit()).isEqualTo(1);
        assertThat(missing.err())
                .contains("--issuer is needed with --non-interactive")
                .contains("https://");
        CliRun bad = init("--issuer", "https://idp.example.com", "--client-id", "x", "--regions", "Mars-1");
        assertThat(bad.exit()).isEqualTo(1);
        assertThat(bad.err()).contains("--regions: 'Mars-1' is not usable").contains("us-east-1");
        assertThat(dir.resolve("gateway.yaml")).doesNotExist();
    }
}
