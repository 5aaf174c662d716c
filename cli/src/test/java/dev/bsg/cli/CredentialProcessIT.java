package dev.bsg.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.oauth2.sdk.OAuth2Error;
import com.nimbusds.oauth2.sdk.TokenRequest;
import dev.bsg.protocol.translate.Json;
import dev.bsg.simulator.BedrockSimulator;
import dev.bsg.simulator.FederationSimulator;
import dev.bsg.simulator.IssuedCredentials;
import dev.bsg.simulator.ReceivedRequest;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import no.nav.security.mock.oauth2.MockOAuth2Server;
import no.nav.security.mock.oauth2.OAuth2Exception;
import no.nav.security.mock.oauth2.http.Route;
import no.nav.security.mock.oauth2.token.DefaultOAuth2TokenCallback;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sts.StsClient;

/**
 * {@code bsg credential-process} as the AWS CLI runs it: a separate process, a real OpenID Connect
 * provider (the browser step done by curl through $BROWSER), and the STS and Cognito Identity stand-ins.
 */
@SuppressWarnings("JdkObsolete") // StringBuffer: processes' output is appended by reader threads
class CredentialProcessIT {
    static final MockOAuth2Server IDP = new MockOAuth2Server(new Route[0]);
    static FederationSimulator aws;
    static BedrockSimulator bedrock;
    static DeviceGrantIdentityProvider deviceIdp;
    static Path dir;
    static Path config;
    static Path browserLog;
    static int port;

    @BeforeAll
    static void start() throws Exception {
        IDP.start(InetAddress.getLoopbackAddress(), 0);
        aws = FederationSimulator.start();
        bedrock = BedrockSimulator.start();
        deviceIdp = DeviceGrantIdentityProvider.start();
        dir = Files.createTempDirectory("bsg-credential-process");
        browserLog = dir.resolve("browser.log");
        Path browser = dir.resolve("browser");
        // A browser that signs in at once: the mock IdP redirects straight back to bsg's loopback listener.
        Files.writeString(
                browser, "#!/bin/sh\necho \"$1\" >> '" + browserLog + "'\ncurl -s -L -o /dev/null \"$1\" &\n");
        Files.setPosixFilePermissions(browser, PosixFilePermissions.fromString("rwx------"));
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        config = dir.resolve("config.yaml");
        String issuer = IDP.issuerUrl("company").toString();
        Files.writeString(
                config, """
                profiles:
                  direct:
                    issuer: %s
                    client_id: bsg-cli
                    redirect_port: %d
                    federation: direct
                    role_arn: arn:aws:iam::123456789012:role/BedrockDevelopers
                    region: us-east-1
                    credential_storage: file
                  pool:
                    issuer: %s
                    client_id: bsg-cli
                    redirect_port: %d
                    federation: cognito
                    identity_pool_id: us-east-1:11111111-2222-3333-4444-555555555555
                    credential_storage: file
                  nowhere:
                    issuer: http://127.0.0.1:9/never
                    client_id: bsg-cli
                    redirect_port: %d
                    federation: direct
                    role_arn: arn:aws:iam::123456789012:role/BedrockDevelopers
                  headless:
                    issuer: %s
                    client_id: bsg-device
                    federation: direct
                    role_arn: arn:aws:iam::123456789012:role/BedrockDevelopers
                    credential_storage: file
                  brief:
                    issuer: %s
                    client_id: bsg-device-brief
                    federation: direct
                    role_arn: arn:aws:iam::123456789012:role/BedrockDevelopers
                    credential_storage: file
                """.formatted(issuer, port, issuer, port, port, deviceIdp.issuer(), deviceIdp.issuer()));
    }

    @AfterAll
    static void stop() throws Exception {
        aws.close();
        bedrock.close();
        if (deviceIdp != null) deviceIdp.close(); // null when oidc-provider is missing and the class was skipped
        IDP.shutdown();
    }

    @BeforeEach
    void clean() throws Exception {
        Files.deleteIfExists(browserLog);
        for (String profile : List.of("direct", "pool", "nowhere", "headless", "brief")) run(profile, "--clear-cache");
    }

    static void expectSignIn(String email) {
        IDP.enqueueCallback(new DefaultOAuth2TokenCallback(
                "company",
                email.substring(0, email.indexOf('@')) + "-sub",
                "JWT",
                List.of("bsg-cli"),
                Map.of("email", email, "name", "Someone", "department", "Platform"),
                3600));
    }

    record Result(int exit, String out, String err) {
        JsonNode json() throws Exception {
            return Json.MAPPER.readTree(out);
        }
    }

    static Result run(String profile, String... extra) throws Exception {
        return start(profile, extra).get(90, TimeUnit.SECONDS);
    }

    static CompletableFuture<Result> start(String profile, String... extra) throws Exception {
        return start(new StringBuffer(), profile, extra);
    }

    /** {@code liveErr} receives stderr as the process writes it, so a test can act on what it says while it runs. */
    static CompletableFuture<Result> start(StringBuffer liveErr, String profile, String... extra) throws Exception {
        List<String> command = new ArrayList<>(List.of(
                ProcessHandle.current().info().command().orElse("java"),
                "-cp",
                System.getProperty("java.class.path"),
                "dev.bsg.cli.Main",
                "credential-process",
                "--profile",
                profile));
        command.addAll(List.of(extra));
        return startCommand(command, liveErr);
    }

    static Result runCommand(List<String> command) throws Exception {
        return startCommand(command).get(90, TimeUnit.SECONDS);
    }

    static CompletableFuture<Result> startCommand(List<String> command) throws Exception {
        return startCommand(command, new StringBuffer());
    }

    static CompletableFuture<Result> startCommand(List<String> command, StringBuffer liveErr) throws Exception {
        return startCommand(command, liveErr, List.of());
    }

    /** {@code unset} names variables the process must not see (say, BROWSER and DISPLAY for a machine without a browser). */
    static CompletableFuture<Result> startCommand(List<String> command, StringBuffer liveErr, List<String> unset)
            throws Exception {
        ProcessBuilder builder = new ProcessBuilder(command);
        Map<String, String> env = builder.environment();
        env.put("HOME", dir.toString());
        env.put("XDG_CACHE_HOME", dir.resolve("cache").toString());
        env.put("BSG_CONFIG", config.toString());
        env.put("BROWSER", dir.resolve("browser").toString());
        env.put("BSG_CREDENTIAL_STORAGE", "file");
        env.put("AWS_ENDPOINT_URL_STS", aws.endpoint());
        env.put("AWS_ENDPOINT_URL_COGNITO_IDENTITY", aws.endpoint());
        env.put("AWS_ENDPOINT_URL_BEDROCK_RUNTIME", bedrock.endpoint());
        // Credentials of the caller's own are never used to get these: no recursion through a profile.
        env.put("AWS_PROFILE", "bsg-profile-that-calls-bsg");
        env.put("AWS_ACCESS_KEY_ID", "AKIDNOTTOBEUSED");
        env.put("AWS_SECRET_ACCESS_KEY", "not-to-be-used");
        unset.forEach(env::remove);
        Process process = builder.start();
        CompletableFuture<Void> errRead = CompletableFuture.runAsync(() -> {
            try (var err = new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8)) {
                char[] chunk = new char[4096];
                for (int n; (n = err.read(chunk)) > 0; ) liveErr.append(chunk, 0, n);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        return CompletableFuture.supplyAsync(() -> {
            try {
                String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                errRead.join();
                return new Result(process.waitFor(), out, liveErr.toString());
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    static long browserOpened() throws Exception {
        return Files.exists(browserLog) ? Files.readAllLines(browserLog).size() : 0;
    }

    @Test
    void signsInOnceFederatesAsThePersonAndThenAnswersFromTheCache() throws Exception {
        expectSignIn("ana@example.com");
        Result first = run("direct");
        assertThat(first.exit()).as(first.err()).isZero();
        JsonNode credentials = first.json();
        assertThat(credentials.get("Version").asInt()).isEqualTo(1);
        assertThat(credentials.get("AccessKeyId").asText()).startsWith("ASIA");
        assertThat(credentials.get("Expiration").asText()).endsWith("Z");
        assertThat(first.out().strip().lines())
                .as("stdout holds the JSON and nothing else")
                .hasSize(1);
        assertThat(first.err())
                .contains("sign in to " + IDP.issuerUrl("company").toString().replaceAll("/+$", ""));
        assertThat(browserOpened()).isEqualTo(1);
        try (StsClient sts = StsClient.builder()
                .endpointOverride(URI.create(aws.endpoint()))
                .region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsSessionCredentials.create(
                        credentials.get("AccessKeyId").asText(),
                        credentials.get("SecretAccessKey").asText(),
                        credentials.get("SessionToken").asText())))
                .build()) {
            assertThat(sts.getCallerIdentity().arn())
                    .as("CloudTrail shows the person")
                    .endsWith("assumed-role/BedrockDevelopers/ana@example.com");
        }

        Result cached = run("direct");
        assertThat(cached.exit()).isZero();
        assertThat(cached.json().get("AccessKeyId").asText())
                .isEqualTo(credentials.get("AccessKeyId").asText());
        assertThat(cached.err()).isEmpty();
        assertThat(browserOpened()).as("no second sign-in").isEqualTo(1);
        Path cacheFile = dir.resolve("cache/bsg/aws-direct.json");
        assertThat(Files.getPosixFilePermissions(cacheFile)).isEqualTo(PosixFilePermissions.fromString("rw-------"));

        Result token = run("direct", "--get-monitoring-token");
        assertThat(token.out().strip().split("\\.")).hasSize(3);
        assertThat(browserOpened()).isEqualTo(1);
        List<String> otel = new ArrayList<>(List.of(
                ProcessHandle.current().info().command().orElse("java"),
                "-cp",
                System.getProperty("java.class.path"),
                "dev.bsg.cli.Main",
                "otel-headers",
                "--profile",
                "direct"));
        Result headers = runCommand(otel);
        assertThat(headers.exit()).as(headers.err()).isZero();
        JsonNode otelHeaders = headers.json();
        assertThat(otelHeaders.get("x-user-email").asText()).isEqualTo("ana@example.com");
        assertThat(otelHeaders.get("x-user-id").asText())
                .matches("[0-9a-f]{32}")
                .doesNotContain("ana-sub");
        assertThat(otelHeaders.get("x-user-name").asText()).isEqualTo("Someone");
        assertThat(otelHeaders.get("x-department").asText()).isEqualTo("Platform");
        assertThat(browserOpened()).isEqualTo(1);

        // Credentials near their end are renewed with the IdP refresh token: no browser.
        Files.writeString(
                cacheFile,
                Files.readString(cacheFile)
                        .replaceFirst("\"Expiration\":\"[^\"]+\"", "\"Expiration\":\"2020-01-01T00:00:00Z\"")
                        .replaceFirst("\"expires_epoch\":[0-9]+", "\"expires_epoch\":1577836800"));
        expectSignIn("ana@example.com");
        Result renewed = run("direct");
        assertThat(renewed.exit()).as(renewed.err()).isZero();
        assertThat(renewed.json().get("AccessKeyId").asText())
                .isNotEqualTo(credentials.get("AccessKeyId").asText());
        assertThat(browserOpened()).as("renewed without a browser").isEqualTo(1);
    }

    /** The AWS CLI: Debian's package (scripts/test installs it), else one on the PATH. */
    static String awsCli() {
        for (String candidate : List.of("/usr/bin/aws", "aws")) {
            try {
                Process probe = new ProcessBuilder(candidate, "--version")
                        .redirectErrorStream(true)
                        .start();
                probe.getInputStream().readAllBytes();
                if (probe.waitFor() == 0) return candidate;
            } catch (Exception e) {
                // not this one
            }
        }
        String why = "the AWS CLI is not installed; scripts/test installs it (Debian package awscli)";
        if ("true".equals(System.getenv("CI"))) Assertions.fail(why);
        Assumptions.assumeTrue(false, why);
        return null;
    }

    @Test
    void theAwsCliSignsInOnceThroughCredentialProcessAndThenReusesIt() throws Exception {
        String cli = awsCli();
        Path awsConfig = awsConfig("direct");
        expectSignIn("eve@example.com");
        // Two AWS CLI processes at once on a cold cache, then a third: one sign-in for all three.
        List<Process> concurrent = List.of(startAwsCli(cli, awsConfig), startAwsCli(cli, awsConfig));
        List<String> arns = new ArrayList<>();
        for (Process process : concurrent) arns.add(callerArn(process));
        arns.add(callerArn(startAwsCli(cli, awsConfig)));
        assertThat(arns)
                .hasSize(3)
                .containsOnly("arn:aws:sts::123456789012:assumed-role/BedrockDevelopers/eve@example.com");
        assertThat(browserOpened()).as("one sign-in for the three calls").isEqualTo(1);
    }

    static Process startAwsCli(String cli, Path awsConfig) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(
                cli,
                "sts",
                "get-caller-identity",
                "--profile",
                "bsg",
                "--output",
                "json",
                "--endpoint-url",
                aws.endpoint()); // Debian's AWS CLI predates AWS_ENDPOINT_URL_STS; bsg itself reads it
        awsToolEnvironment(builder.environment(), awsConfig);
        builder.environment().put("HOME", dir.toString());
        return builder.start();
    }

    static String callerArn(Process process) throws Exception {
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> {
            try {
                return new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor()).as(err.join()).isZero();
        return Json.MAPPER.readTree(out).get("Arn").asText();
    }

    /** A profile for the AWS tools whose credential_process is this build of bsg. */
    static Path awsConfig(String profile) throws Exception {
        return awsConfig(profile, "");
    }

    /** An AWS config whose profile {@code bsg} gets its credentials from this bsg, with {@code extraArgs} on its command line. */
    static Path awsConfig(String profile, String extraArgs) throws Exception {
        Path launcher = dir.resolve("bsg-credential-process");
        Files.writeString(
                launcher,
                "#!/bin/sh\nexec '" + ProcessHandle.current().info().command().orElse("java") + "' -cp '"
                        + System.getProperty("java.class.path") + "' dev.bsg.cli.Main credential-process \"$@\"\n");
        Files.setPosixFilePermissions(launcher, PosixFilePermissions.fromString("rwx------"));
        Path file = dir.resolve("aws-config-" + profile);
        Files.writeString(
                file,
                "[profile bsg]\ncredential_process = " + launcher + " --profile " + profile + extraArgs
                        + "\nregion = us-east-1\n");
        return file;
    }

    /** What every AWS tool here runs with: this test's config, cache and browser, and no AWS variables of the machine. */
    static void awsToolEnvironment(Map<String, String> env, Path awsConfig) {
        env.keySet().removeIf(k -> k.startsWith("AWS_") || k.startsWith("ANTHROPIC_") || k.startsWith("CLAUDE_"));
        env.put("AWS_CONFIG_FILE", awsConfig.toString());
        env.put("AWS_SHARED_CREDENTIALS_FILE", dir.resolve("no-credentials").toString());
        env.put("AWS_ENDPOINT_URL_STS", aws.endpoint());
        env.put("XDG_CACHE_HOME", dir.resolve("cache").toString());
        env.put("BSG_CONFIG", config.toString());
        env.put("BROWSER", dir.resolve("browser").toString());
        env.put("BSG_CREDENTIAL_STORAGE", "file");
    }

    @Test
    void claudeCodeOnBedrockUsesTheFederatedCredentials() throws Exception {
        Path claude = ClaudeCodeBinary.find();
        Path claudeHome = Files.createTempDirectory("bsg-claude-bedrock");
        ProcessBuilder builder = new ProcessBuilder(claude.toString(), "-p", "Say hello.", "--output-format", "json");
        awsToolEnvironment(builder.environment(), awsConfig("direct"));
        builder.environment()
                .putAll(Map.of(
                        "HOME",
                        claudeHome.toString(),
                        "CLAUDE_CODE_USE_BEDROCK",
                        "1",
                        "AWS_PROFILE",
                        "bsg",
                        "AWS_REGION",
                        "us-east-1",
                        "ANTHROPIC_BEDROCK_BASE_URL",
                        bedrock.endpoint(),
                        "DISABLE_AUTOUPDATER",
                        "1",
                        "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC",
                        "1"));
        builder.redirectError(claudeHome.resolve("stderr.txt").toFile());
        expectSignIn("fay@example.com");
        Process running = builder.start();
        running.getOutputStream().close();
        String stdout = new String(running.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(running.waitFor(120, TimeUnit.SECONDS)).isTrue();
        JsonNode result = Json.MAPPER.readTree(stdout);
        assertThat(result.get("is_error").asBoolean())
                .as(stdout + Files.readString(claudeHome.resolve("stderr.txt")))
                .isFalse();
        assertThat(result.get("result").asText()).isEqualTo("Hello from the Bedrock simulator.");
        ReceivedRequest last = bedrock.lastRequest();
        assertThat(last.signatureValid()).isTrue();
        String keyId = last.header("authorization").replaceFirst(".*Credential=([^/]+)/.*", "$1");
        assertThat(IssuedCredentials.all().get(keyId).arn()).endsWith("/BedrockDevelopers/fay@example.com");
        assertThat(browserOpened()).isEqualTo(1);
    }

    static List<String> bsg(String... args) {
        List<String> command = new ArrayList<>(List.of(
                ProcessHandle.current().info().command().orElse("java"),
                "-cp",
                System.getProperty("java.class.path"),
                "dev.bsg.cli.Main"));
        command.addAll(List.of(args));
        return command;
    }

    @Test
    void doctorChecksEveryStepAndSaysWhatToFix() throws Exception {
        expectSignIn("gus@example.com");
        assertThat(run("direct").exit()).isZero();
        Result healthy = runCommand(bsg("doctor", "--profile", "direct"));
        assertThat(healthy.exit()).as(healthy.out() + healthy.err()).isZero();
        assertThat(healthy.out())
                .contains("config")
                .contains("identity provider")
                .contains("callback port")
                .contains("cached credentials")
                .contains("AWS federation")
                .contains("Bedrock")
                .doesNotContain("FAIL");
        assertThat(healthy.out())
                .containsPattern("Bedrock +PASS .*counts [0-9]+ tokens")
                .contains("browser sign-in only");

        try (ServerSocket busy = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            Result broken = runCommand(bsg("doctor", "--profile", "nowhere", "--json"));
            assertThat(broken.exit()).isEqualTo(1);
            JsonNode checks = broken.json();
            JsonNode idp = null;
            JsonNode callback = null;
            for (JsonNode check : checks) {
                if (check.get("check").asText().equals("identity provider")) idp = check;
                if (check.get("check").asText().equals("callback port")) callback = check;
            }
            assertThat(idp.get("status").asText()).isEqualTo("fail");
            assertThat(idp.get("fix").asText()).contains("issuer");
            assertThat(callback.get("status").asText()).isEqualTo("fail");
            assertThat(callback.get("fix").asText()).contains("redirect_port");
        }
    }

    /** bsg with only these variables beside this test's home, cache, config and file storage. */
    static Result runWith(Map<String, String> env, String... args) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(bsg(args));
        builder.environment()
                .putAll(Map.of(
                        "HOME",
                        dir.toString(),
                        "XDG_CACHE_HOME",
                        dir.resolve("cache").toString(),
                        "BSG_CONFIG",
                        config.toString(),
                        "BSG_CREDENTIAL_STORAGE",
                        "file"));
        builder.environment().putAll(env);
        Process process = builder.start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        return new Result(process.waitFor(), out, err);
    }

    /** A browser whose person the IdP sends back with this OAuth error, instead of a code. */
    static Result signInAnsweredWith(String error) throws Exception {
        Path refusing = dir.resolve("browser-" + error);
        Files.writeString(
                refusing,
                "#!/bin/sh\nstate=$(echo \"$1\" | sed 's/.*[?&]state=\\([^&]*\\).*/\\1/')\n"
                        + "curl -s -o /dev/null \"http://localhost:" + port + "/callback?error=" + error
                        + "&state=$state\" &\n");
        Files.setPosixFilePermissions(refusing, PosixFilePermissions.fromString("rwx------"));
        return runWith(Map.of("BROWSER", refusing.toString()), "credential-process", "--profile", "direct");
    }

    @Test
    void aCancelledOrRefusedSignInSaysWhatHappenedAndLeavesNoCredentials() throws Exception {
        Result cancelled = signInAnsweredWith("access_denied");
        assertThat(cancelled.exit()).isEqualTo(1);
        assertThat(cancelled.out()).isEmpty();
        assertThat(cancelled.err()).contains("the sign-in was cancelled at the identity provider");
        Result wrongClient = signInAnsweredWith("unauthorized_client");
        assertThat(wrongClient.exit()).isEqualTo(1);
        assertThat(wrongClient.err()).contains("unauthorized_client").contains("check client_id");
        assertThat(dir.resolve("cache/bsg/aws-direct.json")).doesNotExist();
    }

    @Test
    void aCachedSignInAwsRejectsIsClearedWithAMessageAndTheNextOneStartsFresh() throws Exception {
        expectSignIn("ida@example.com");
        assertThat(run("direct").exit()).isZero();
        Path cacheFile = dir.resolve("cache/bsg/aws-direct.json");
        Files.writeString(
                cacheFile,
                Files.readString(cacheFile)
                        .replaceFirst("\"expires_epoch\":[0-9]+", "\"expires_epoch\":1577836800")
                        .replaceFirst("\"Expiration\":\"[^\"]+\"", "\"Expiration\":\"2020-01-01T00:00:00Z\""));
        // The account's trust changed: AWS no longer accepts tokens from this issuer.
        try (FederationSimulator changed =
                FederationSimulator.start().trustIssuers("https://login.other.example.com")) {
            expectSignIn("ida@example.com");
            expectSignIn("ida@example.com");
            Result rejected = runWith(
                    Map.of("BROWSER", dir.resolve("browser").toString(), "AWS_ENDPOINT_URL_STS", changed.endpoint()),
                    "credential-process",
                    "--profile",
                    "direct");
            assertThat(rejected.exit()).isEqualTo(1);
            assertThat(rejected.out()).isEmpty();
            assertThat(rejected.err())
                    .contains("AWS rejected the cached sign-in")
                    .contains("cleared it, signing in again")
                    .contains("InvalidIdentityToken");
            assertThat(browserOpened())
                    .as("one fresh sign-in was tried after the cache was cleared")
                    .isEqualTo(2);
            assertThat(cacheFile).doesNotExist();
        }
    }

    @Test
    void awsEndpointsBehindATlsInspectingProxyAreTrustedThroughAwsCaBundle() throws Exception {
        try (FederationSimulator overTls = FederationSimulator.startTls()) {
            expectSignIn("tia@example.com");
            Result untrusted = runWith(
                    Map.of("BROWSER", dir.resolve("browser").toString(), "AWS_ENDPOINT_URL_STS", overTls.endpoint()),
                    "credential-process",
                    "--profile",
                    "direct");
            assertThat(untrusted.exit()).isEqualTo(1);
            assertThat(untrusted.err())
                    .contains("AWS could not be reached for credentials")
                    .contains("set AWS_CA_BUNDLE");

            expectSignIn("tia@example.com");
            Result trusted = runWith(
                    Map.of(
                            "BROWSER",
                            dir.resolve("browser").toString(),
                            "AWS_ENDPOINT_URL_STS",
                            overTls.endpoint(),
                            "AWS_CA_BUNDLE",
                            overTls.certificate().pem().toString()),
                    "credential-process",
                    "--profile",
                    "direct");
            assertThat(trusted.exit()).as(trusted.err()).isZero();
            assertThat(trusted.out()).contains("\"AccessKeyId\":\"ASIA");
            assertThat(overTls.calls()).contains("sts:AssumeRoleWithWebIdentity");

            Path notPem = Files.writeString(dir.resolve("not-a-bundle.pem"), "nothing here");
            run("direct", "--clear-cache");
            expectSignIn("tia@example.com");
            Result badBundle = runWith(
                    Map.of(
                            "BROWSER",
                            dir.resolve("browser").toString(),
                            "AWS_ENDPOINT_URL_STS",
                            overTls.endpoint(),
                            "AWS_CA_BUNDLE",
                            notPem.toString()),
                    "credential-process",
                    "--profile",
                    "direct");
            assertThat(badBundle.exit()).isEqualTo(1);
            assertThat(badBundle.err())
                    .contains("AWS_CA_BUNDLE names " + notPem)
                    .contains("unset it");
        }
    }

    @Test
    void anIdentityPoolThatDoesNotTrustTheIssuerIsReportedAsSuch() throws Exception {
        try (FederationSimulator strict = FederationSimulator.start().trustIssuers("https://login.other.example.com")) {
            expectSignIn("hal@example.com");
            Result refused = runWith(
                    Map.of(
                            "BROWSER",
                            dir.resolve("browser").toString(),
                            "AWS_ENDPOINT_URL_COGNITO_IDENTITY",
                            strict.endpoint()),
                    "credential-process",
                    "--profile",
                    "pool");
            assertThat(refused.exit()).isEqualTo(1);
            assertThat(refused.out()).isEmpty();
            assertThat(refused.err()).contains("NotAuthorizedException").contains("identity_pool_id");
        }
    }

    @Test
    void twoConcurrentRunsOpenOneBrowser() throws Exception {
        expectSignIn("bo@example.com");
        CompletableFuture<Result> one = start("direct");
        CompletableFuture<Result> two = start("direct");
        Result a = one.get(90, TimeUnit.SECONDS);
        Result b = two.get(90, TimeUnit.SECONDS);
        assertThat(a.exit()).as(a.err()).isZero();
        assertThat(b.exit()).as(b.err()).isZero();
        assertThat(a.json().get("AccessKeyId").asText())
                .isEqualTo(b.json().get("AccessKeyId").asText());
        assertThat(browserOpened()).isEqualTo(1);
    }

    @Test
    void cognitoIdentityPoolWithTheIssuerAsTheLoginsKey() throws Exception {
        expectSignIn("cy@example.com");
        Result result = run("pool");
        assertThat(result.exit()).as(result.err()).isZero();
        assertThat(result.json().get("AccessKeyId").asText()).startsWith("ASIA");
        assertThat(aws.calls()).contains("cognito-identity:GetId", "cognito-identity:GetCredentialsForIdentity");
    }

    @Test
    void failuresSayWhatToDo() throws Exception {
        Result down = run("nowhere");
        assertThat(down.exit()).isEqualTo(1);
        assertThat(down.out()).isEmpty();
        assertThat(down.err()).contains("could not be discovered").contains("profile 'nowhere'");

        Result unknown = run("typo");
        assertThat(unknown.exit()).isEqualTo(1);
        assertThat(unknown.err()).contains("no profile 'typo'").contains("direct, pool, nowhere");

        try (ServerSocket busy = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            Result portTaken = run("direct");
            assertThat(portTaken.exit()).isEqualTo(1);
            assertThat(portTaken.err())
                    .contains("port " + port + " is in use by another program")
                    .contains("redirect_port");
        }

        Path cacheFile = dir.resolve("cache/bsg/aws-direct.json");
        Files.createDirectories(cacheFile.getParent());
        Files.writeString(cacheFile, "{ not json");
        expectSignIn("dee@example.com");
        Result corrupt = run("direct");
        assertThat(corrupt.exit()).as(corrupt.err()).isZero();
        assertThat(corrupt.err()).contains("unreadable; it is cleared");
    }

    /** What bsg told the person to open, once it has said it. */
    static String linkShown(StringBuffer err) throws InterruptedException {
        Pattern link = Pattern.compile("or open (http\\S+)");
        for (int i = 0; i < 300; i++) {
            Matcher shown = link.matcher(err);
            if (shown.find()) return shown.group(1);
            Thread.sleep(100);
        }
        throw new AssertionError("bsg never showed a link to open; it said: " + err);
    }

    @Test
    void aHeadlessMachineSignsInByDeviceCodeAndTheCacheServesTheNextCall() throws Exception {
        StringBuffer err = new StringBuffer();
        CompletableFuture<Result> running = start(err, "headless", "--device");
        String link = linkShown(err);
        assertThat(err.toString())
                .containsPattern("enter the code [A-Z]{4}-[A-Z]{4}")
                .contains("open " + deviceIdp.issuer() + "/device ");
        assertThat(deviceIdp.approve(link, "dana@example.com")).isEqualTo("Sign-in Success");
        Result signedIn = running.get(90, TimeUnit.SECONDS);
        assertThat(signedIn.exit()).as(signedIn.err()).isZero();
        assertThat(browserOpened()).as("no browser on a headless machine").isZero();
        JsonNode credentials = signedIn.json();
        try (StsClient sts = StsClient.builder()
                .endpointOverride(URI.create(aws.endpoint()))
                .region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsSessionCredentials.create(
                        credentials.get("AccessKeyId").asText(),
                        credentials.get("SecretAccessKey").asText(),
                        credentials.get("SessionToken").asText())))
                .build()) {
            assertThat(sts.getCallerIdentity().arn()).endsWith("assumed-role/BedrockDevelopers/dana@example.com");
        }
        Result doctor = runCommand(bsg("doctor", "--profile", "headless"));
        assertThat(doctor.out()).containsPattern("identity provider +PASS .*it offers device sign-in \\(--device\\)");
        // A profile whose credential_process says --device is still answered by the cached fast path.
        for (List<String> args :
                List.of(List.of("--profile", "headless", "--device"), List.of("--device", "--profile=headless"))) {
            List<String> probe = new ArrayList<>(List.of(
                    ProcessHandle.current().info().command().orElse("java"),
                    "-cp",
                    System.getProperty("java.class.path"),
                    "dev.bsg.cli.FastPathProbe",
                    "credential-process"));
            probe.addAll(args);
            Result fast = runCommand(probe);
            assertThat(fast.out())
                    .as(String.join(" ", args))
                    .contains("\"AccessKeyId\":\""
                            + credentials.get("AccessKeyId").asText())
                    .contains("fast path answered true");
        }
        Result cached = run("headless", "--device");
        assertThat(cached.exit()).isZero();
        assertThat(cached.err()).isEmpty();
        assertThat(cached.json().get("AccessKeyId").asText())
                .isEqualTo(credentials.get("AccessKeyId").asText());
    }

    @Test
    void withNoBrowserToOpenTheSignInIsByDeviceCodeWhenTheIdpOffersIt() throws Exception {
        StringBuffer err = new StringBuffer();
        List<String> command = new ArrayList<>(List.of(
                ProcessHandle.current().info().command().orElse("java"),
                "-cp",
                System.getProperty("java.class.path"),
                "dev.bsg.cli.Main",
                "credential-process",
                "--profile",
                "headless"));
        CompletableFuture<Result> running =
                startCommand(command, err, List.of("BROWSER", "DISPLAY", "WAYLAND_DISPLAY"));
        assertThat(deviceIdp.approve(linkShown(err), "sam@example.com")).isEqualTo("Sign-in Success");
        Result signedIn = running.get(90, TimeUnit.SECONDS);
        assertThat(signedIn.exit()).as(signedIn.err()).isZero();
        assertThat(signedIn.err()).contains("no browser can be opened here; signing in by device code instead");
        assertThat(signedIn.json().get("AccessKeyId").asText()).startsWith("ASIA");
    }

    /**
     * The AWS CLI keeps a credential process's stderr to itself unless it fails, so the device code would
     * never be seen; in a real terminal (tmux here) bsg shows it there too, and the person can sign in.
     */
    @Test
    void underTheAwsCliTheDeviceCodeReachesThePersonsTerminal() throws Exception {
        String cli = awsCli();
        TerminalSession.require(false);
        Map<String, String> env = new TreeMap<>();
        awsToolEnvironment(env, awsConfig("headless", " --device"));
        env.put("HOME", dir.toString());
        StringBuilder script =
                new StringBuilder("#!/bin/sh\nfor v in $(env | grep -o '^AWS_[A-Z_]*'); do unset \"$v\"; done\n");
        env.forEach((name, value) ->
                script.append("export ").append(name).append("='").append(value).append("'\n"));
        script.append("'")
                .append(cli)
                .append("' sts get-caller-identity --profile bsg --output text --query Arn --endpoint-url '")
                .append(aws.endpoint())
                .append("'\necho \"aws exited $?\"\nsleep 300\n");
        Path run = dir.resolve("aws-in-terminal.sh");
        Files.writeString(run, script.toString());
        Files.setPosixFilePermissions(run, PosixFilePermissions.fromString("rwx------"));
        try (TerminalSession terminal = TerminalSession.start(dir, run.toString())) {
            String shown = terminal.waitFor("waiting for the sign-in", 60);
            Matcher link = Pattern.compile("or open (http\\S+)").matcher(shown);
            assertThat(link.find()).as(shown).isTrue();
            assertThat(deviceIdp.approve(link.group(1), "dana@example.com")).isEqualTo("Sign-in Success");
            String done = terminal.waitFor("aws exited", 60);
            assertThat(done)
                    .contains("assumed-role/BedrockDevelopers/dana@example.com")
                    .contains("aws exited 0");
        }
    }

    @Test
    void aDeviceSignInAbortedOrLeftToExpireSaysSoAndCachesNothing() throws Exception {
        StringBuffer err = new StringBuffer();
        CompletableFuture<Result> running = start(err, "headless", "--device");
        assertThat(deviceIdp.abort(linkShown(err)))
                .as("back at the page asking for a code")
                .isEqualTo("Sign-in");
        Result aborted = running.get(90, TimeUnit.SECONDS);
        assertThat(aborted.exit()).isEqualTo(1);
        assertThat(aborted.out()).isEmpty();
        assertThat(aborted.err())
                .contains("the sign-in was refused at the identity provider")
                .contains("run the command again");

        Result expired = run("brief", "--device");
        assertThat(expired.exit()).isEqualTo(1);
        assertThat(expired.err()).containsPattern("the code [A-Z]{4}-[A-Z]{4} expired before the sign-in was approved");
        assertThat(dir.resolve("cache/bsg/aws-headless.json")).doesNotExist();
        assertThat(dir.resolve("cache/bsg/aws-brief.json")).doesNotExist();

        Result noDeviceGrant = run("direct", "--device");
        assertThat(noDeviceGrant.exit()).isEqualTo(1);
        assertThat(noDeviceGrant.err()).contains("offers no device sign-in").contains("device_authorization_endpoint");
    }

    @Test
    void aRefreshTokenTheIdentityProviderNoLongerHonoursFallsBackToTheBrowser() throws Exception {
        expectSignIn("eve@example.com");
        assertThat(run("direct").exit()).isZero();
        Path cacheFile = dir.resolve("cache/bsg/aws-direct.json");
        String stored = Files.readString(cacheFile);
        assertThat(stored).contains("\"refresh_token\"");
        // The credentials ran out, and the IdP has since expired the refresh token: it answers invalid_grant.
        Files.writeString(
                cacheFile,
                stored.replaceFirst("\"refresh_token\":\"[^\"]+\"", "\"refresh_token\":\"expired-refresh-token\"")
                        .replaceFirst("\"Expiration\":\"[^\"]+\"", "\"Expiration\":\"2020-01-01T00:00:00Z\"")
                        .replaceFirst("\"expires_epoch\":[0-9]+", "\"expires_epoch\":1577836800"));
        IDP.enqueueCallback(new RefusingTokenCallback());
        expectSignIn("eve@example.com");
        Result renewed = run("direct");
        assertThat(renewed.exit()).as(renewed.err()).isZero();
        assertThat(renewed.err())
                .contains("the identity provider no longer accepts the saved sign-in")
                .contains("invalid_grant");
        assertThat(browserOpened()).as("the browser sign-in took over").isEqualTo(2);
        assertThat(Files.readString(cacheFile)).doesNotContain("expired-refresh-token");
    }

    /** The identity provider's answer to a refresh token it has expired or revoked. */
    static final class RefusingTokenCallback extends DefaultOAuth2TokenCallback {
        RefusingTokenCallback() {
            super("company", "nobody", "JWT", List.of("bsg-cli"), Map.of(), 3600);
        }

        @Override
        public String subject(TokenRequest request) {
            throw new OAuth2Exception(
                    OAuth2Error.INVALID_GRANT.setDescription("refresh token expired"), "refresh token expired");
        }
    }
}
