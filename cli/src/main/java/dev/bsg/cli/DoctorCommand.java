package dev.bsg.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bsg.identity.SigV4;
import dev.bsg.identity.TrustedCertificates;
import dev.bsg.protocol.translate.Json;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.UnresolvedAddressException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import javax.net.ssl.TrustManager;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import software.amazon.awssdk.identity.spi.AwsSessionCredentialsIdentity;

/**
 * {@code bsg doctor}: checks, in the order a sign-in needs them, everything between this machine and
 * Bedrock, and says for each failure what to change. Exits 1 when anything failed.
 */
@Command(
        name = "doctor",
        mixinStandardHelpOptions = true,
        description =
                "Check configuration, identity provider, callback port, cached credentials, AWS federation, Bedrock and gateway access.")
final class DoctorCommand implements Callable<Integer> {
    @Option(
            names = "--profile",
            defaultValue = "${env:BSG_PROFILE:-default}",
            description = "Profile in the organisation config (default: $BSG_PROFILE or default).")
    String profile;

    @Option(
            names = "--gateway",
            description = "Also check this gateway (default: the one bsg login last signed in to, if any).")
    String gateway;

    @Option(
            names = "--model",
            defaultValue = "us.anthropic.claude-haiku-4-5-20251001-v1:0",
            description = "Model for the Bedrock check (CountTokens; costs nothing).")
    String model;

    @Option(names = "--json", description = "Print the checks as JSON.")
    boolean json;

    enum Status {
        PASS,
        WARN,
        FAIL,
        SKIP
    }

    record Check(String name, Status status, String detail, String fix) {}

    private final List<Check> checks = new ArrayList<>();
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** For AWS endpoints: trusting AWS_CA_BUNDLE when it is set, like the federation calls. */
    private HttpClient awsHttp() throws GeneralSecurityException {
        TrustManager[] trust = AwsFederation.awsCaBundle();
        if (trust == null) return http;
        return HttpClient.newBuilder()
                .connectTimeout(Duration.ofSeconds(5))
                .sslContext(TrustedCertificates.sslContext(trust))
                .build();
    }

    @Override
    public Integer call() {
        AwsProfile config = null;
        try {
            config = AwsProfile.load(profile);
            add(
                    "config",
                    Status.PASS,
                    "profile '" + profile + "' in " + config.source() + " (" + config.federation() + ")",
                    null);
        } catch (CliException e) {
            if (gateway != null) add("config", Status.SKIP, e.getMessage() + "; checking only the gateway", null);
            else
                add(
                        "config",
                        Status.FAIL,
                        e.getMessage(),
                        "install the organisation config (bsg package), or set BSG_CONFIG to it");
        }
        if (config != null) {
            discovery(config);
            port(config);
            AwsCredentialCache.Cached cached = cache();
            bedrock(config, federation(config, cached));
        }
        gateway();
        print();
        return checks.stream().anyMatch(c -> c.status() == Status.FAIL) ? 1 : 0;
    }

    private void discovery(AwsProfile config) {
        String url = config.issuer() + "/.well-known/openid-configuration";
        try {
            HttpResponse<String> response = http.send(
                    HttpRequest.newBuilder(URI.create(url))
                            .timeout(Duration.ofSeconds(10))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            JsonNode metadata = response.statusCode() == 200 ? Json.MAPPER.readTree(response.body()) : null;
            if (metadata == null) {
                add(
                        "identity provider",
                        Status.FAIL,
                        url + " answered " + response.statusCode(),
                        "check issuer in " + config.source());
            } else if (!config.issuer().equals(metadata.path("issuer").asText().replaceAll("/+$", ""))) {
                add(
                        "identity provider",
                        Status.FAIL,
                        "it calls itself " + metadata.path("issuer").asText(),
                        "set issuer to exactly that in " + config.source());
            } else {
                boolean device = metadata.hasNonNull("device_authorization_endpoint");
                add(
                        "identity provider",
                        Status.PASS,
                        "discovered " + config.issuer()
                                + (device
                                        ? "; it offers device sign-in (--device)"
                                        : "; browser sign-in only (no device_authorization_endpoint)"),
                        null);
            }
        } catch (IOException | InterruptedException | IllegalArgumentException e) {
            add(
                    "identity provider",
                    Status.FAIL,
                    "can't reach " + url + ": " + why(e),
                    "check issuer, the network or the proxy");
        }
    }

    /** What went wrong, in words: the JDK's connection failures often carry no message at all. */
    static String why(Exception e) {
        if (e instanceof HttpConnectTimeoutException) return "no answer within 5 s (network, proxy or firewall)";
        if (e instanceof ConnectException) return "connection refused or no route (is the network up?)";
        if (e instanceof UnresolvedAddressException
                || e.getCause() instanceof UnresolvedAddressException
                || e instanceof UnknownHostException) return "the host name does not resolve (DNS or no network)";
        if (e instanceof InterruptedException) return "interrupted";
        String message = e.getMessage();
        return message == null || message.isBlank() ? e.getClass().getSimpleName() : message;
    }

    private void port(AwsProfile config) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), config.redirectPort()));
            add(
                    "callback port",
                    Status.PASS,
                    "127.0.0.1:" + config.redirectPort() + " is free for the sign-in to come back to",
                    null);
        } catch (IOException e) {
            add(
                    "callback port",
                    Status.FAIL,
                    "127.0.0.1:" + config.redirectPort() + " is in use",
                    "stop the program using it, or set redirect_port in " + config.source()
                            + " (and register http://localhost:PORT/callback with the IdP)");
        }
    }

    private AwsCredentialCache.Cached cache() {
        AwsCredentialCache.Cached cached =
                AwsCredentialCache.forProfile(profile).read();
        if (cached == null) {
            add(
                    "cached credentials",
                    Status.WARN,
                    "none yet",
                    "run bsg credential-process --profile " + profile + " to sign in");
        } else if (cached.credentialsValidFor(CredentialProcessCommand.REUSE_MARGIN_SECONDS)) {
            add("cached credentials", Status.PASS, "valid until " + cached.expiration(), null);
        } else {
            add(
                    "cached credentials",
                    cached.refreshToken() != null ? Status.PASS : Status.WARN,
                    "expired at " + cached.expiration()
                            + (cached.refreshToken() != null ? "; renewed without a browser on next use" : ""),
                    cached.refreshToken() != null ? null : "the next AWS call signs in again");
        }
        return cached;
    }

    /** Federates the cached ID token again (a real STS or Cognito call); returns usable credentials, or null. */
    private AwsFederation.Credentials federation(AwsProfile config, AwsCredentialCache.Cached cached) {
        if (cached == null || !cached.idTokenValidFor(30)) {
            add(
                    "AWS federation",
                    Status.SKIP,
                    "no current ID token to try",
                    "run bsg credential-process --profile " + profile + ", then bsg doctor again");
            return cached != null && cached.credentialsValidFor(30) ? fromCache(cached) : null;
        }
        try {
            String email = String.valueOf(
                    OtelHeadersCommand.claims(cached.idToken()).path("email").asText("bsg-doctor"));
            AwsFederation.Credentials credentials = AwsFederation.exchange(config, cached.idToken(), email);
            add(
                    "AWS federation",
                    Status.PASS,
                    (config.federation().equals("direct")
                                    ? "assumed " + config.roleArn()
                                    : "identity pool " + config.identityPoolId())
                            + "; credentials until " + credentials.expiration(),
                    null);
            return credentials;
        } catch (CliException | IOException e) {
            add(
                    "AWS federation",
                    Status.FAIL,
                    e.getMessage(),
                    config.federation().equals("direct")
                            ? "the role's trust policy must allow " + AwsFederation.providerName(config.issuer())
                                    + " for client " + config.clientId()
                            : "the identity pool must list " + AwsFederation.providerName(config.issuer())
                                    + " with client " + config.clientId());
            return null;
        }
    }

    private static AwsFederation.Credentials fromCache(AwsCredentialCache.Cached cached) {
        return new AwsFederation.Credentials(
                cached.accessKeyId(), cached.secretAccessKey(), cached.sessionToken(), cached.expiration());
    }

    /** CountTokens on the runtime endpoint: proves the credentials, the region and model access without spending. */
    private void bedrock(AwsProfile config, AwsFederation.Credentials credentials) {
        if (credentials == null) {
            add("Bedrock", Status.SKIP, "no credentials to try", null);
            return;
        }
        String endpoint = System.getenv()
                .getOrDefault(
                        "AWS_ENDPOINT_URL_BEDROCK_RUNTIME",
                        "https://bedrock-runtime." + config.region() + ".amazonaws.com");
        URI uri = URI.create(endpoint.replaceAll("/+$", "") + "/model/"
                + URLEncoder.encode(model, StandardCharsets.UTF_8) + "/count-tokens");
        byte[] body = ("{\"input\":{\"invokeModel\":{\"body\":\""
                        + Base64.getEncoder()
                                .encodeToString(
                                        "{\"anthropic_version\":\"bedrock-2023-05-31\",\"max_tokens\":1,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"
                                                .getBytes(StandardCharsets.UTF_8))
                        + "\"}}}")
                .getBytes(StandardCharsets.UTF_8);
        AwsSessionCredentialsIdentity identity = AwsSessionCredentialsIdentity.create(
                credentials.accessKeyId(), credentials.secretAccessKey(), credentials.sessionToken());
        try {
            HttpRequest.Builder request = HttpRequest.newBuilder(uri)
                    .timeout(Duration.ofSeconds(30))
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body));
            Map<String, List<String>> signed = SigV4.signBedrock(
                    identity,
                    uri,
                    config.region(),
                    Map.of("Content-Type", "application/json", "Accept", "application/json"),
                    body);
            for (Map.Entry<String, List<String>> header : signed.entrySet()) {
                if (header.getKey().equalsIgnoreCase("host")) continue;
                for (String value : header.getValue()) request.header(header.getKey(), value);
            }
            HttpResponse<String> response = awsHttp().send(request.build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() == 200) {
                add(
                        "Bedrock",
                        Status.PASS,
                        model + " in " + config.region() + " counts "
                                + Json.MAPPER
                                        .readTree(response.body())
                                        .path("inputTokens")
                                        .asText() + " tokens",
                        null);
            } else {
                String message =
                        Json.MAPPER.readTree(response.body()).path("message").asText(response.body());
                String type = response.headers().firstValue("x-amzn-errortype").orElse("");
                if (type.startsWith("UnrecognizedClient")
                        || type.startsWith("ExpiredToken")
                        || message.contains("security token included in the request is")) {
                    AwsCredentialCache.forProfile(profile).clear();
                    add(
                            "Bedrock",
                            Status.FAIL,
                            "AWS rejected the cached credentials (" + message + "); the cache is cleared",
                            "run bsg credential-process --profile " + profile + " to sign in again");
                    return;
                }
                add(
                        "Bedrock",
                        Status.FAIL,
                        response.statusCode() + " "
                                + response.headers()
                                        .firstValue("x-amzn-errortype")
                                        .orElse("") + ": " + message,
                        response.statusCode() == 403
                                ? "the role needs bedrock:CountTokens and bedrock:InvokeModel* on " + model
                                        + ", and model access in " + config.region()
                                : "try another --model, or check the region");
            }
        } catch (IOException | InterruptedException | GeneralSecurityException e) {
            add(
                    "Bedrock",
                    Status.FAIL,
                    "can't reach " + endpoint + ": " + why(e),
                    AwsFederation.failedOverTls(e)
                            ? "a TLS-inspecting proxy needs its CA: set AWS_CA_BUNDLE to a PEM file of it"
                            : "check the network, proxy or AWS_ENDPOINT_URL_BEDROCK_RUNTIME");
        } catch (CliException e) {
            add("Bedrock", Status.FAIL, e.getMessage(), "fix or unset AWS_CA_BUNDLE");
        }
    }

    private void gateway() {
        String url = gateway;
        if (url == null) {
            try {
                CredentialFile.Entry stored = CredentialFile.standard().read(null);
                url = stored == null ? null : stored.gateway();
            } catch (CliException e) {
                url = null;
            }
        }
        if (url == null) return;
        try {
            HttpResponse<String> health = http.send(
                    HttpRequest.newBuilder(URI.create(url.replaceAll("/+$", "") + "/healthz"))
                            .timeout(Duration.ofSeconds(10))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            if (health.statusCode() == 200) add("gateway", Status.PASS, url + " is up", null);
            else
                add(
                        "gateway",
                        Status.FAIL,
                        url + "/healthz answered " + health.statusCode(),
                        "ask the gateway's operators; bsg doctor --gateway URL checks another");
        } catch (IOException | InterruptedException | IllegalArgumentException e) {
            add(
                    "gateway",
                    Status.FAIL,
                    "can't reach " + url + ": " + why(e),
                    "check the URL (bsg login --gateway URL) and the network");
        }
    }

    private void add(String name, Status status, String detail, String fix) {
        checks.add(new Check(name, status, detail, fix));
    }

    private void print() {
        if (json) {
            ArrayNode all = Json.MAPPER.createArrayNode();
            for (Check c : checks) {
                ObjectNode node = all.addObject();
                node.put("check", c.name());
                node.put("status", c.status().name().toLowerCase(Locale.ROOT));
                node.put("detail", c.detail());
                node.put("fix", c.fix());
            }
            System.out.println(all.toPrettyString());
            return;
        }
        ArrayNode rows = Json.MAPPER.createArrayNode();
        for (Check c : checks) {
            ObjectNode row = rows.addObject();
            row.put("check", c.name());
            row.put("result", c.status().name());
            row.put("detail", c.fix() == null || c.status() == Status.PASS ? c.detail() : c.detail() + " → " + c.fix());
        }
        Table.print(System.out, List.of("check", "result", "detail"), rows);
    }
}
