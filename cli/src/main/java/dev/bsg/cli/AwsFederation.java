package dev.bsg.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bsg.identity.TrustedCertificates;
import dev.bsg.protocol.translate.Json;
import java.io.IOException;
import java.io.StringReader;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManager;
import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;

/**
 * Turns a verified ID token into temporary AWS credentials: the Cognito Identity pool's enhanced flow,
 * or STS AssumeRoleWithWebIdentity with the person's email as the role session name (so CloudTrail and
 * the bill show who). Both calls are unsigned (the ID token is the proof), so no AWS credentials are looked
 * up and this never calls itself through a profile's credential_process. They go over the JDK's HTTP client
 * rather than the SDK's service clients, which would be a fifth of the end-user bundle for two requests;
 * like the SDK's standard retry mode, a throttled, failed (5xx) or dropped call is tried three times.
 */
final class AwsFederation {
    record Credentials(String accessKeyId, String secretAccessKey, String sessionToken, Instant expiration) {}

    /** AWS answered with an error: its code and message. */
    static final class Refused extends Exception {
        final String code;

        Refused(String code, String message) {
            super(message);
            this.code = code;
        }
    }

    private record Answer(int status, String body, String errorTypeHeader) {}

    private static final int ATTEMPTS = 3;
    private static final Set<String> THROTTLING = Set.of(
            "Throttling",
            "ThrottlingException",
            "TooManyRequestsException",
            "RequestLimitExceeded",
            "IDPCommunicationError");

    private AwsFederation() {}

    static Credentials exchange(AwsProfile profile, String idToken, String email) {
        try {
            return profile.federation().equals("direct")
                    ? assumeRole(profile, idToken, email)
                    : cognito(profile, idToken);
        } catch (Refused e) {
            throw new CliException("AWS refused the sign-in (" + e.code + "): " + e.getMessage()
                    + " — check "
                    + (profile.federation().equals("direct")
                            ? "role_arn and the role's trust of " + profile.issuer()
                            : "identity_pool_id and the pool's identity provider " + providerName(profile.issuer()))
                    + " (profile '" + profile.name() + "')");
        } catch (IOException e) {
            throw new CliException("AWS could not be reached for credentials: "
                    + (e.getMessage() == null ? e.toString() : e.getMessage())
                    + (failedOverTls(e)
                            ? " (if a TLS-inspecting proxy is in the way, set AWS_CA_BUNDLE to a PEM file of its CA)"
                            : ""));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException("interrupted while asking AWS for credentials");
        }
    }

    private static Credentials assumeRole(AwsProfile profile, String idToken, String email)
            throws IOException, InterruptedException, Refused {
        String form = "Action=AssumeRoleWithWebIdentity&Version=2011-06-15&RoleArn=" + encode(profile.roleArn())
                + "&RoleSessionName=" + encode(sessionName(email)) + "&WebIdentityToken=" + encode(idToken)
                + "&DurationSeconds=" + profile.sessionDurationSeconds();
        Answer answer = post(
                endpoint(profile, "AWS_ENDPOINT_URL_STS", "sts"),
                "application/x-www-form-urlencoded; charset=utf-8",
                null,
                form);
        Map<String, String> fields = xmlFields(answer.body());
        if (answer.status() != 200)
            throw new Refused(
                    fields.getOrDefault("Code", "HTTP " + answer.status()),
                    fields.getOrDefault("Message", answer.body()));
        String expiration = fields.get("Expiration");
        if (fields.get("AccessKeyId") == null || fields.get("SecretAccessKey") == null || expiration == null) {
            throw new IOException("STS answered without credentials");
        }
        try {
            return new Credentials(
                    fields.get("AccessKeyId"),
                    fields.get("SecretAccessKey"),
                    fields.get("SessionToken"),
                    Instant.parse(expiration));
        } catch (RuntimeException e) {
            throw new IOException("STS answered with an unreadable expiry: " + expiration);
        }
    }

    private static Credentials cognito(AwsProfile profile, String idToken)
            throws IOException, InterruptedException, Refused {
        URI endpoint = endpoint(profile, "AWS_ENDPOINT_URL_COGNITO_IDENTITY", "cognito-identity");
        ObjectNode getId = Json.MAPPER.createObjectNode().put("IdentityPoolId", profile.identityPoolId());
        getId.putObject("Logins").put(providerName(profile.issuer()), idToken);
        String identityId =
                cognitoCall(endpoint, "GetId", getId).path("IdentityId").asText(null);
        if (identityId == null) throw new IOException("Cognito answered GetId without an IdentityId");
        ObjectNode forIdentity = Json.MAPPER.createObjectNode().put("IdentityId", identityId);
        forIdentity.set("Logins", getId.get("Logins"));
        JsonNode credentials =
                cognitoCall(endpoint, "GetCredentialsForIdentity", forIdentity).path("Credentials");
        if (!credentials.path("AccessKeyId").isTextual()
                || !credentials.path("Expiration").isNumber()) {
            throw new IOException("Cognito answered without credentials");
        }
        return new Credentials(
                credentials.path("AccessKeyId").asText(),
                credentials.path("SecretKey").asText(),
                credentials.path("SessionToken").asText(null),
                Instant.ofEpochMilli(Math.round(credentials.path("Expiration").asDouble() * 1000)));
    }

    private static JsonNode cognitoCall(URI endpoint, String operation, ObjectNode body)
            throws IOException, InterruptedException, Refused {
        Answer answer = post(
                endpoint,
                "application/x-amz-json-1.1",
                "AWSCognitoIdentityService." + operation,
                Json.MAPPER.writeValueAsString(body));
        JsonNode json;
        try {
            json = Json.MAPPER.readTree(answer.body());
        } catch (IOException e) {
            json = Json.MAPPER.createObjectNode();
        }
        if (answer.status() == 200) return json;
        throw new Refused(
                errorCode(json.path("__type")
                        .asText(
                                answer.errorTypeHeader() == null
                                        ? "HTTP " + answer.status()
                                        : answer.errorTypeHeader())),
                json.path("message").asText(json.path("Message").asText(answer.body())));
    }

    /** {@code com.amazon...#NotAuthorizedException} or {@code NotAuthorizedException:http://...}: the bare code. */
    static String errorCode(String type) {
        String code = type.substring(type.lastIndexOf('#') + 1);
        int colon = code.indexOf(':');
        return colon < 0 ? code : code.substring(0, colon);
    }

    private static Answer post(URI endpoint, String contentType, String target, String body)
            throws IOException, InterruptedException {
        HttpClient client = http();
        HttpRequest.Builder request = HttpRequest.newBuilder(endpoint)
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (target != null) request.header("X-Amz-Target", target);
        for (int attempt = 1; ; attempt++) {
            try {
                HttpResponse<String> response =
                        client.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
                Answer answer = new Answer(
                        response.statusCode(),
                        response.body(),
                        response.headers().firstValue("x-amzn-ErrorType").orElse(null));
                if (attempt == ATTEMPTS || !retryable(answer)) return answer;
            } catch (IOException e) {
                if (attempt == ATTEMPTS || failedOverTls(e)) throw e;
            }
            Thread.sleep(Duration.ofMillis(ThreadLocalRandom.current().nextLong(100, 200) << attempt));
        }
    }

    private static boolean retryable(Answer answer) {
        if (answer.status() >= 500 || answer.status() == 429) return true;
        if (answer.status() != 400) return false;
        String code = answer.errorTypeHeader() != null
                ? errorCode(answer.errorTypeHeader())
                : xmlFields(answer.body()).get("Code");
        return code != null && THROTTLING.contains(code);
    }

    private static HttpClient http() throws IOException {
        HttpClient.Builder builder = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10));
        TrustManager[] trust = awsCaBundle();
        if (trust != null) {
            try {
                builder.sslContext(TrustedCertificates.sslContext(trust));
            } catch (GeneralSecurityException e) {
                throw new IOException("AWS_CA_BUNDLE can't be used: " + e.getMessage(), e);
            }
        }
        return builder.build();
    }

    /** The service's regional endpoint, unless AWS's own endpoint variables point elsewhere (as the SDK honours them). */
    static URI endpoint(AwsProfile profile, String serviceVariable, String service) {
        String endpoint = System.getenv(serviceVariable);
        if (endpoint == null || endpoint.isBlank()) endpoint = System.getenv("AWS_ENDPOINT_URL");
        if (endpoint != null && !endpoint.isBlank()) return URI.create(endpoint.replaceAll("/+$", "") + "/");
        String region = profile.region();
        return URI.create(
                "https://" + service + "." + region + ".amazonaws.com" + (region.startsWith("cn-") ? ".cn" : "") + "/");
    }

    /** The text of every leaf element by local name (STS answers nest each field once); empty when it is no XML. */
    static Map<String, String> xmlFields(String xml) {
        Map<String, String> fields = new HashMap<>();
        XMLInputFactory factory = XMLInputFactory.newFactory();
        factory.setProperty(XMLInputFactory.SUPPORT_DTD, false);
        factory.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
        try {
            XMLStreamReader reader = factory.createXMLStreamReader(new StringReader(xml));
            String open = null;
            StringBuilder text = new StringBuilder();
            while (reader.hasNext()) {
                switch (reader.next()) {
                    case XMLStreamReader.START_ELEMENT -> {
                        open = reader.getLocalName();
                        text.setLength(0);
                    }
                    case XMLStreamReader.CHARACTERS, XMLStreamReader.CDATA -> text.append(reader.getText());
                    case XMLStreamReader.END_ELEMENT -> {
                        if (reader.getLocalName().equals(open))
                            fields.putIfAbsent(open, text.toString().strip());
                        open = null;
                    }
                    default -> {}
                }
            }
        } catch (XMLStreamException e) {
            return fields;
        }
        return fields;
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    /** Whether a failed call failed in TLS (an untrusted certificate, most likely), wherever in the cause chain. */
    static boolean failedOverTls(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof SSLException) return true;
        }
        return false;
    }

    /** The CAs of {@code AWS_CA_BUNDLE} when it is set (as AWS tools honour it, say behind a TLS-inspecting proxy), else null: the JDK's. */
    static TrustManager[] awsCaBundle() {
        String bundle = System.getenv("AWS_CA_BUNDLE");
        if (bundle == null || bundle.isBlank()) return null;
        try {
            return TrustedCertificates.trustManagers(Path.of(bundle));
        } catch (IOException | GeneralSecurityException e) {
            throw new CliException(
                    "AWS_CA_BUNDLE names " + bundle + ", which can't be used as a PEM file of CA certificates ("
                            + e.getMessage() + "); fix it, or unset it to trust the usual CAs");
        }
    }

    /** Cognito's Logins key: the issuer without its scheme (a user pool's is cognito-idp.REGION.amazonaws.com/POOL). */
    static String providerName(String issuer) {
        return issuer.replaceFirst("^https?://", "").replaceAll("/+$", "");
    }

    /** A role session name AWS accepts ([\w+=,.@-], 2 to 64 characters) that still names the person. */
    static String sessionName(String email) {
        String name = email.replaceAll("[^\\w+=,.@-]", "-");
        if (name.length() > 64) name = name.substring(0, 64);
        return name.length() < 2 ? "bsg-" + name : name;
    }
}
