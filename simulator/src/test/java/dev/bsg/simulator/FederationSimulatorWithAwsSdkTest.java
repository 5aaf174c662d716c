package dev.bsg.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AnonymousCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.bedrockruntime.BedrockRuntimeClient;
import software.amazon.awssdk.services.cognitoidentity.CognitoIdentityClient;
import software.amazon.awssdk.services.cognitoidentity.model.Credentials;
import software.amazon.awssdk.services.cognitoidentity.model.NotAuthorizedException;
import software.amazon.awssdk.services.sts.StsClient;
import software.amazon.awssdk.services.sts.model.AssumeRoleWithWebIdentityResponse;
import software.amazon.awssdk.services.sts.model.ExpiredTokenException;
import software.amazon.awssdk.services.sts.model.InvalidIdentityTokenException;

/** The STS and Cognito Identity stand-ins, judged by the AWS SDK's own clients; their credentials work on the Bedrock simulator. */
class FederationSimulatorWithAwsSdkTest {
    static FederationSimulator federation;
    static BedrockSimulator bedrock;

    @BeforeAll
    static void start() {
        federation = FederationSimulator.start().trustIssuers("https://idp.example.com/realms/company");
        bedrock = BedrockSimulator.start();
    }

    @AfterAll
    static void stop() throws Exception {
        federation.close();
        bedrock.close();
    }

    /** An unsigned JWT with these claims: the stand-ins read claims; signatures are the IdP's business. */
    static String token(String issuer, long expiresAt) {
        return token(issuer, "bsg-cli", expiresAt);
    }

    static String token(String issuer, String audience, long expiresAt) {
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        String claims = "{\"iss\":\"" + issuer + "\",\"sub\":\"user-42\",\"aud\":\"" + audience
                + "\",\"email\":\"ana@example.com\",\"exp\":" + expiresAt + "}";
        return b64.encodeToString("{\"alg\":\"RS256\"}".getBytes(StandardCharsets.UTF_8)) + "."
                + b64.encodeToString(claims.getBytes(StandardCharsets.UTF_8)) + ".c2ln";
    }

    static StsClient sts(AwsCredentialsProvider credentials) {
        return sts(federation.endpoint(), credentials);
    }

    static StsClient sts(String endpoint, AwsCredentialsProvider credentials) {
        return StsClient.builder()
                .endpointOverride(URI.create(endpoint))
                .region(Region.US_EAST_1)
                .credentialsProvider(credentials)
                .build();
    }

    @Test
    void assumeRoleWithWebIdentityGivesCredentialsThatSignForBedrockAndStsAsThatPerson() {
        String token = token(
                "https://idp.example.com/realms/company",
                Instant.now().plusSeconds(600).getEpochSecond());
        AssumeRoleWithWebIdentityResponse assumed;
        try (StsClient anonymous = sts(AnonymousCredentialsProvider.create())) {
            assumed = anonymous.assumeRoleWithWebIdentity(
                    r -> r.roleArn("arn:aws:iam::123456789012:role/BedrockDevelopers")
                            .roleSessionName("ana@example.com")
                            .webIdentityToken(token)
                            .durationSeconds(3600));
        }
        assertThat(assumed.credentials().accessKeyId()).startsWith("ASIA");
        assertThat(assumed.credentials().expiration()).isAfter(Instant.now().plusSeconds(3500));
        assertThat(assumed.subjectFromWebIdentityToken()).isEqualTo("user-42");
        assertThat(assumed.assumedRoleUser().arn())
                .isEqualTo("arn:aws:sts::123456789012:assumed-role/BedrockDevelopers/ana@example.com");

        var session = StaticCredentialsProvider.create(AwsSessionCredentials.create(
                assumed.credentials().accessKeyId(),
                assumed.credentials().secretAccessKey(),
                assumed.credentials().sessionToken()));
        try (StsClient signed = sts(session)) {
            assertThat(signed.getCallerIdentity().arn())
                    .isEqualTo(assumed.assumedRoleUser().arn());
        }
        try (BedrockRuntimeClient runtime = BedrockRuntimeClient.builder()
                .endpointOverride(URI.create(bedrock.endpoint()))
                .region(Region.US_EAST_1)
                .credentialsProvider(session)
                .build()) {
            String answer = runtime.invokeModel(
                            r -> r.modelId("us.anthropic.claude-sonnet-4-5-20250929-v1:0")
                                    .body(
                                            SdkBytes.fromUtf8String(
                                                    "{\"anthropic_version\":\"bedrock-2023-05-31\",\"max_tokens\":16,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")))
                    .body()
                    .asUtf8String();
            assertThat(answer).contains("Hello from the Bedrock simulator.");
        }
    }

    @Test
    void badTokensAndRequestsAreRefusedWithTheModeledExceptions() {
        try (StsClient anonymous = sts(AnonymousCredentialsProvider.create())) {
            assertThatThrownBy(() ->
                            anonymous.assumeRoleWithWebIdentity(r -> r.roleArn("arn:aws:iam::123456789012:role/R")
                                    .roleSessionName("ana")
                                    .webIdentityToken(token(
                                            "https://other.example.com",
                                            Instant.now().plusSeconds(600).getEpochSecond()))))
                    .isInstanceOf(InvalidIdentityTokenException.class)
                    .hasMessageContaining("other.example.com");
            assertThatThrownBy(() ->
                            anonymous.assumeRoleWithWebIdentity(r -> r.roleArn("arn:aws:iam::123456789012:role/R")
                                    .roleSessionName("ana")
                                    .webIdentityToken(token(
                                            "https://idp.example.com/realms/company",
                                            Instant.now().minusSeconds(5).getEpochSecond()))))
                    .isInstanceOf(ExpiredTokenException.class);
            assertThatThrownBy(() ->
                            anonymous.assumeRoleWithWebIdentity(r -> r.roleArn("arn:aws:iam::123456789012:role/R")
                                    .roleSessionName("ana smith")
                                    .webIdentityToken(token(
                                            "https://idp.example.com/realms/company",
                                            Instant.now().plusSeconds(600).getEpochSecond()))))
                    .hasMessageContaining("roleSessionName");
        }
    }

    @Test
    void cognitoEnhancedFlowWithTheIssuerAsTheLoginsKey() {
        String token = token(
                "https://idp.example.com/realms/company",
                Instant.now().plusSeconds(600).getEpochSecond());
        try (CognitoIdentityClient cognito = CognitoIdentityClient.builder()
                .endpointOverride(URI.create(federation.endpoint()))
                .region(Region.US_EAST_1)
                .credentialsProvider(AnonymousCredentialsProvider.create())
                .build()) {
            Map<String, String> logins = Map.of("idp.example.com/realms/company", token);
            String id = cognito.getId(r -> r.identityPoolId("us-east-1:11111111-2222-3333-4444-555555555555")
                            .logins(logins))
                    .identityId();
            assertThat(id).startsWith("us-east-1:");
            assertThat(cognito.getId(r -> r.identityPoolId("us-east-1:11111111-2222-3333-4444-555555555555")
                                    .logins(logins))
                            .identityId())
                    .as("the same person gets the same identity")
                    .isEqualTo(id);
            Credentials credentials = cognito.getCredentialsForIdentity(
                            r -> r.identityId(id).logins(logins))
                    .credentials();
            assertThat(credentials.accessKeyId()).startsWith("ASIA");
            assertThat(credentials.expiration()).isAfter(Instant.now());
            assertThatThrownBy(() -> cognito.getCredentialsForIdentity(
                            r -> r.identityId(id).logins(Map.of("wrong.example.com", token))))
                    .isInstanceOf(NotAuthorizedException.class)
                    .hasMessageContaining("Invalid login token");
        }
        assertThat(federation.calls()).contains("cognito-identity:GetId", "cognito-identity:GetCredentialsForIdentity");
    }
}
