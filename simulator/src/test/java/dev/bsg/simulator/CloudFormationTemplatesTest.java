package dev.bsg.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AnonymousCredentialsProvider;
import software.amazon.awssdk.services.sts.StsClient;
import software.amazon.awssdk.services.sts.model.AssumeRoleWithWebIdentityResponse;
import software.amazon.awssdk.services.sts.model.InvalidIdentityTokenException;
import software.amazon.awssdk.services.sts.model.StsException;

/** deploy/aws's CloudFormation templates, checked offline, and their trust enforced by the STS stand-in. */
class CloudFormationTemplatesTest {
    private static final Path AWS =
            Path.of(System.getenv().getOrDefault("BSG_REPO_ROOT", "..")).resolve("deploy/aws");
    private static final String ISSUER = "https://login.example.com/realms/acme";
    private static final Map<String, String> REQUIRED = Map.of("IssuerUrl", ISSUER, "ClientId", "bsg-cli");

    @Test
    void everyTemplateIsWellFormedResolvesAndGrantsOnlyWhatItMust() throws IOException {
        List<Path> templates;
        try (Stream<Path> files = Files.list(AWS)) {
            templates =
                    files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList();
        }
        assertThat(templates)
                .extracting(f -> f.getFileName().toString())
                .containsExactly("direct-cognito.yaml", "direct-oidc.yaml", "gateway-role.yaml");
        for (Path file : templates) {
            CloudFormationTemplate template = CloudFormationTemplate.load(file);
            boolean federated = template.template.path("Parameters").has("IssuerUrl");
            for (String create : federated ? List.of("true", "false") : List.of("")) {
                Map<String, String> parameters = new HashMap<>(federated ? REQUIRED : Map.of());
                if (federated) parameters.put("CreateOidcProvider", create);
                CloudFormationTemplate.Instance instance = template.instantiate(parameters);
                assertThat(instance.resources.has("OidcProvider")).isEqualTo(create.equals("true"));
                List<String> actions = new ArrayList<>();
                instance.resources
                        .properties()
                        .forEach(resource -> CloudFormationTemplate.Instance.policies(
                                        resource.getKey(), resource.getValue())
                                .forEach((label, policy) -> policy.path("Statement")
                                        .forEach(s -> s.path("Action").forEach(a -> actions.add(a.asText())))));
                assertThat(actions)
                        .as(file.getFileName().toString())
                        .contains(
                                "bedrock:InvokeModel",
                                "bedrock:InvokeModelWithResponseStream",
                                "bedrock:CountTokens",
                                "bedrock:ListFoundationModels")
                        .allMatch(a -> a.startsWith("bedrock:") || a.startsWith("sts:"));
            }
        }
    }

    @Test
    void theCheckRefusesWhatAReviewerWouldFlag() {
        String good = """
                AWSTemplateFormatVersion: "2010-09-09"
                Parameters:
                  Name: {Type: String, Default: x}
                Resources:
                  R:
                    Type: AWS::IAM::Role
                    Properties:
                      RoleName: {Ref: Name}
                      AssumeRolePolicyDocument:
                        Version: "2012-10-17"
                        Statement: [{Effect: Allow, Principal: {Service: ecs-tasks.amazonaws.com}, Action: sts:AssumeRole}]
                      Policies:
                        - PolicyName: p
                          PolicyDocument:
                            Version: "2012-10-17"
                            Statement: [{Effect: Allow, Action: [ACTION], Resource: RESOURCE}]
                """;
        String fine = good.replace("ACTION", "bedrock:InvokeModel")
                .replace("RESOURCE", "\"arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-x\"");
        assertThat(instantiate(fine).resources.has("R")).isTrue();
        assertThatThrownBy(() -> instantiate(fine.replace("{Ref: Name}", "{Ref: Nobody}")))
                .hasMessageContaining("Ref to nothing");
        assertThatThrownBy(() -> instantiate(fine.replace("{Ref: Name}", "!Ref Name")))
                .hasMessageContaining("short-form");
        assertThatThrownBy(() -> instantiate(fine.replace("bedrock:InvokeModel", "bedrock:*")))
                .hasMessageContaining("wildcard");
        assertThatThrownBy(() -> instantiate(
                        good.replace("ACTION", "bedrock:InvokeModel").replace("RESOURCE", "\"*\"")))
                .hasMessageContaining("Resource \"*\"");
        assertThatThrownBy(() -> instantiate(fine.replace("bedrock:InvokeModel", "iam:PassRole")))
                .hasMessageContaining("outside Bedrock");
        assertThatThrownBy(() -> instantiate(fine.replace("Service: ecs-tasks.amazonaws.com", "AWS: \"*\"")))
                .hasMessageContaining("any principal");
        assertThatThrownBy(() -> instantiate(fine.replace("AWS::IAM::Role", "AWS::IAM::User")))
                .hasMessageContaining("unknown type");
    }

    private static CloudFormationTemplate.Instance instantiate(String text) {
        try {
            return CloudFormationTemplate.parse("inline", text).instantiate(Map.of());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void theStsStandInHoldsTokensToTheDirectRolesTrustAsAwsWould() throws Exception {
        CloudFormationTemplate.Instance stack = CloudFormationTemplate.load(AWS.resolve("direct-oidc.yaml"))
                .instantiate(Map.of("IssuerUrl", ISSUER, "ClientId", "bsg-cli", "MaxSessionDurationSeconds", "7200"));
        JsonNode provider = stack.properties("OidcProvider");
        String roleArn = "arn:aws:iam::" + FederationSimulator.ACCOUNT + ":role/"
                + stack.properties("DirectRole").path("RoleName").asText();
        try (FederationSimulator federation = FederationSimulator.start()) {
            federation
                    .oidcProvider(
                            provider.path("Url").asText(),
                            List.of(provider.path("ClientIdList").get(0).asText()))
                    .role(
                            roleArn,
                            stack.trustPolicy("DirectRole"),
                            stack.properties("DirectRole")
                                    .path("MaxSessionDuration")
                                    .asInt());
            try (StsClient sts = FederationSimulatorWithAwsSdkTest.sts(
                    federation.endpoint(), AnonymousCredentialsProvider.create())) {
                AssumeRoleWithWebIdentityResponse assumed = assume(sts, roleArn, token(ISSUER, "bsg-cli"), 7200);
                assertThat(assumed.assumedRoleUser().arn()).endsWith(":assumed-role/bsg-direct/ana@example.com");

                assertThatThrownBy(() -> assume(sts, roleArn, token(ISSUER, "another-app"), 3600))
                        .isInstanceOf(InvalidIdentityTokenException.class)
                        .hasMessageContaining("Incorrect token audience");
                assertThatThrownBy(() -> assume(sts, roleArn, token("https://evil.example.com", "bsg-cli"), 3600))
                        .isInstanceOf(InvalidIdentityTokenException.class)
                        .hasMessageContaining("No OpenIDConnect provider");
                assertThatThrownBy(() -> assume(sts, roleArn, token(ISSUER, "bsg-cli"), 7201))
                        .isInstanceOf(StsException.class)
                        .hasMessageContaining("MaxSessionDuration");
                assertThatThrownBy(() -> assume(
                                sts, roleArn.replace("bsg-direct", "Administrators"), token(ISSUER, "bsg-cli"), 3600))
                        .isInstanceOf(StsException.class)
                        .hasMessageContaining("Not authorized");
            }
            // A second client of the same provider: its tokens pass the provider but not this role's trust.
            federation.oidcProvider(ISSUER, List.of("bsg-cli", "wiki"));
            try (StsClient sts = FederationSimulatorWithAwsSdkTest.sts(
                    federation.endpoint(), AnonymousCredentialsProvider.create())) {
                assertThatThrownBy(() -> assume(sts, roleArn, token(ISSUER, "wiki"), 3600))
                        .isInstanceOf(StsException.class)
                        .hasMessageContaining("Not authorized");
            }
        }
    }

    private static AssumeRoleWithWebIdentityResponse assume(StsClient sts, String role, String token, int seconds) {
        return sts.assumeRoleWithWebIdentity(r -> r.roleArn(role)
                .roleSessionName("ana@example.com")
                .webIdentityToken(token)
                .durationSeconds(seconds));
    }

    private static String token(String issuer, String audience) {
        return FederationSimulatorWithAwsSdkTest.token(
                issuer, audience, Instant.now().plusSeconds(600).getEpochSecond());
    }
}
