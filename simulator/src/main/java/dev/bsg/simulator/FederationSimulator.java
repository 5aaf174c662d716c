package dev.bsg.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bsg.protocol.translate.Json;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;

/**
 * Stand-ins for AWS STS (AssumeRoleWithWebIdentity, GetCallerIdentity) and Cognito Identity (GetId,
 * GetCredentialsForIdentity, the enhanced flow) on one port, for tests and the demo. Web identity
 * tokens are checked as AWS checks them where it matters to a client: a JWT, not expired, from a
 * trusted issuer (by default any), for a trusted audience (by default any). Their signatures are not
 * verified: that is the identity provider's part, tested against it directly.
 */
public final class FederationSimulator implements AutoCloseable {
    public static final String ACCOUNT = "123456789012";
    private static final Pattern ROLE_ARN = Pattern.compile("^arn:aws:iam::([0-9]{12}):role/([\\w+=,.@/-]{1,64})$");
    private static final Pattern SESSION_NAME = Pattern.compile("^[\\w+=,.@-]{2,64}$");

    private final Server server;
    private final SigV4Verifier stsVerifier = new SigV4Verifier(IssuedCredentials::secretOf, "sts");
    private final Set<String> trustedIssuers = ConcurrentHashMap.newKeySet();
    private final Map<String, List<String>> oidcProviders = new ConcurrentHashMap<>();
    private final Map<String, Role> roles = new ConcurrentHashMap<>();

    private record Role(TrustPolicy trust, int maxSessionSeconds) {}

    private final Map<String, String> identities = new ConcurrentHashMap<>();
    private final List<String> calls = new CopyOnWriteArrayList<>();

    private final SelfSignedCertificate tls;

    private FederationSimulator(SelfSignedCertificate tls) {
        this.tls = tls;
        server = SimulatorServer.create("federation-simulator", "127.0.0.1", 0, tls, 128, this::serve);
    }

    public static FederationSimulator start() {
        return start(new FederationSimulator(null));
    }

    /** Over HTTPS, as STS and Cognito are, with a throwaway certificate ({@link #certificate()}) clients must be told to trust. */
    public static FederationSimulator startTls() {
        return start(new FederationSimulator(SelfSignedCertificate.create()));
    }

    public SelfSignedCertificate certificate() {
        return tls;
    }

    private static FederationSimulator start(FederationSimulator simulator) {
        SimulatorServer.start(simulator.server, "federation simulator");
        return simulator;
    }

    public String endpoint() {
        return (tls == null ? "http" : "https") + "://127.0.0.1:"
                + ((ServerConnector) server.getConnectors()[0]).getLocalPort();
    }

    /** Only tokens from these issuers are accepted from now on (the identity pool's or the IAM OIDC provider's configuration). */
    public FederationSimulator trustIssuers(String... issuers) {
        trustedIssuers.addAll(List.of(issuers));
        return this;
    }

    /**
     * An IAM OIDC provider as {@code AWS::IAM::OIDCProvider} makes one: from now on STS takes web identity tokens
     * only from the issuers so registered, and only for one of their client ids as audience.
     */
    public FederationSimulator oidcProvider(String issuerUrl, List<String> clientIds) {
        oidcProviders.put(issuerUrl, List.copyOf(clientIds));
        trustedIssuers.add(issuerUrl);
        return this;
    }

    /**
     * A role as {@code AWS::IAM::Role} makes one: from now on AssumeRoleWithWebIdentity succeeds only for roles so
     * made, when their trust policy allows the token, for no longer than their maximum session.
     */
    public FederationSimulator role(String arn, JsonNode trustPolicy, int maxSessionSeconds) {
        roles.put(arn, new Role(new TrustPolicy(trustPolicy), maxSessionSeconds));
        return this;
    }

    /** The operations called so far, such as {@code sts:AssumeRoleWithWebIdentity}. */
    public List<String> calls() {
        return List.copyOf(calls);
    }

    private void serve(Request request, Response response, Callback callback) throws IOException {
        byte[] body = Content.Source.asInputStream(request).readAllBytes();
        String target = request.getHeaders().get("X-Amz-Target");
        if (target != null && target.startsWith("AWSCognitoIdentityService.")) {
            cognito(target.substring("AWSCognitoIdentityService.".length()), body, response, callback);
        } else {
            sts(request, body, response, callback);
        }
    }

    // ---- STS (query protocol, XML answers) ----

    private void sts(Request request, byte[] body, Response response, Callback callback) {
        Map<String, String> form = form(new String(body, StandardCharsets.UTF_8));
        String query = request.getHttpURI().getQuery();
        if (query != null) form.putAll(form(query));
        String action = form.getOrDefault("Action", "");
        calls.add("sts:" + action);
        switch (action) {
            case "AssumeRoleWithWebIdentity" -> assumeRoleWithWebIdentity(form, response, callback);
            case "GetCallerIdentity" -> getCallerIdentity(request, body, response, callback);
            default ->
                stsError(
                        response,
                        callback,
                        400,
                        "InvalidAction",
                        "Could not find operation " + action + " for version 2011-06-15");
        }
    }

    private void assumeRoleWithWebIdentity(Map<String, String> form, Response response, Callback callback) {
        String roleArn = form.getOrDefault("RoleArn", "");
        String sessionName = form.getOrDefault("RoleSessionName", "");
        Matcher role = ROLE_ARN.matcher(roleArn);
        if (!role.matches()) {
            stsError(
                    response,
                    callback,
                    400,
                    "ValidationError",
                    "1 validation error detected: Value '" + roleArn + "' at 'roleArn' failed to satisfy constraint");
            return;
        }
        if (!SESSION_NAME.matcher(sessionName).matches()) {
            stsError(
                    response,
                    callback,
                    400,
                    "ValidationError",
                    "1 validation error detected: Value '" + sessionName
                            + "' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*");
            return;
        }
        long seconds = form.containsKey("DurationSeconds") ? Long.parseLong(form.get("DurationSeconds")) : 3600;
        if (seconds < 900 || seconds > 43_200) {
            stsError(
                    response,
                    callback,
                    400,
                    "ValidationError",
                    "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.");
            return;
        }
        JsonNode claims = claims(form.get("WebIdentityToken"));
        String problem = tokenProblem(claims);
        if (problem != null) {
            stsError(
                    response,
                    callback,
                    400,
                    problem.startsWith("expired") ? "ExpiredTokenException" : "InvalidIdentityToken",
                    problem);
            return;
        }
        Refusal refused = trustProblem(roleArn, role.group(1), claims, seconds);
        if (refused != null) {
            stsError(response, callback, refused.status(), refused.code(), refused.message());
            return;
        }
        String arn = "arn:aws:sts::" + role.group(1) + ":assumed-role/" + role.group(2) + "/" + sessionName;
        IssuedCredentials.Issued issued = IssuedCredentials.issue(
                arn, "AROA" + ACCOUNT + ":" + sessionName, Instant.now().plusSeconds(seconds));
        String xml =
                "<AssumeRoleWithWebIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><AssumeRoleWithWebIdentityResult>"
                        + "<SubjectFromWebIdentityToken>"
                        + xml(claims.path("sub").asText()) + "</SubjectFromWebIdentityToken>"
                        + "<Audience>" + xml(audience(claims)) + "</Audience>"
                        + "<AssumedRoleUser><Arn>" + xml(arn) + "</Arn><AssumedRoleId>" + xml(issued.userId())
                        + "</AssumedRoleId></AssumedRoleUser>"
                        + "<Credentials><SessionToken>" + issued.sessionToken() + "</SessionToken><SecretAccessKey>"
                        + xml(issued.secretAccessKey())
                        + "</SecretAccessKey><Expiration>" + issued.expiration() + "</Expiration><AccessKeyId>"
                        + issued.accessKeyId() + "</AccessKeyId></Credentials>"
                        + "<Provider>" + xml(claims.path("iss").asText())
                        + "</Provider></AssumeRoleWithWebIdentityResult>"
                        + "<ResponseMetadata><RequestId>" + UUID.randomUUID()
                        + "</RequestId></ResponseMetadata></AssumeRoleWithWebIdentityResponse>";
        send(response, callback, 200, "text/xml", xml);
    }

    private void getCallerIdentity(Request request, byte[] body, Response response, Callback callback) {
        Map<String, List<String>> headers = SimulatorServer.headers(request);
        String path = request.getHttpURI().getPath()
                + (request.getHttpURI().getQuery() == null
                        ? ""
                        : "?" + request.getHttpURI().getQuery());
        String problem = stsVerifier.verify(request.getMethod(), path, headers, body);
        if (problem != null) {
            stsError(
                    response,
                    callback,
                    403,
                    problem.contains("token") ? "InvalidClientTokenId" : "SignatureDoesNotMatch",
                    problem);
            return;
        }
        String accessKey = headers.get("authorization").get(0).replaceFirst(".*Credential=([^/]+)/.*", "$1");
        IssuedCredentials.Issued issued = IssuedCredentials.find(accessKey);
        String xml =
                "<GetCallerIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><GetCallerIdentityResult>"
                        + "<Arn>" + xml(issued.arn()) + "</Arn><UserId>" + xml(issued.userId()) + "</UserId><Account>"
                        + ACCOUNT + "</Account>"
                        + "</GetCallerIdentityResult><ResponseMetadata><RequestId>" + UUID.randomUUID()
                        + "</RequestId></ResponseMetadata></GetCallerIdentityResponse>";
        send(response, callback, 200, "text/xml", xml);
    }

    private static void stsError(Response response, Callback callback, int status, String code, String message) {
        send(
                response,
                callback,
                status,
                "text/xml",
                "<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><Error><Type>Sender</Type><Code>"
                        + code + "</Code><Message>" + xml(message) + "</Message></Error><RequestId>" + UUID.randomUUID()
                        + "</RequestId></ErrorResponse>");
    }

    // ---- Cognito Identity (JSON 1.1) ----

    private void cognito(String operation, byte[] body, Response response, Callback callback) {
        calls.add("cognito-identity:" + operation);
        JsonNode request;
        try {
            request = Json.MAPPER.readTree(body);
        } catch (IOException e) {
            cognitoError(
                    response,
                    callback,
                    "SerializationException",
                    "Start of structure or map found where not expected.");
            return;
        }
        String problem = loginsProblem(request.path("Logins"));
        if (problem != null) {
            cognitoError(response, callback, "NotAuthorizedException", problem);
            return;
        }
        String login = request.path("Logins").fields().next().getValue().asText();
        String subject = claims(login).path("sub").asText();
        switch (operation) {
            case "GetId" -> {
                String pool = request.path("IdentityPoolId").asText("");
                if (!pool.matches("^[\\w-]+:[0-9a-f-]+$")) {
                    cognitoError(
                            response,
                            callback,
                            "ValidationException",
                            "1 validation error detected: Value '" + pool
                                    + "' at 'identityPoolId' failed to satisfy constraint");
                    return;
                }
                String region = pool.substring(0, pool.indexOf(':'));
                String id = identities.computeIfAbsent(
                        pool + "|" + subject,
                        k -> region + ":" + UUID.nameUUIDFromBytes(k.getBytes(StandardCharsets.UTF_8)));
                send(response, callback, 200, "application/x-amz-json-1.1", "{\"IdentityId\":\"" + id + "\"}");
            }
            case "GetCredentialsForIdentity" -> {
                String id = request.path("IdentityId").asText("");
                if (!identities.containsValue(id)) {
                    cognitoError(response, callback, "ResourceNotFoundException", "Identity '" + id + "' not found.");
                    return;
                }
                String arn =
                        "arn:aws:sts::" + ACCOUNT + ":assumed-role/Cognito_BedrockAuth_Role/CognitoIdentityCredentials";
                IssuedCredentials.Issued issued = IssuedCredentials.issue(
                        arn,
                        "AROA" + ACCOUNT + ":CognitoIdentityCredentials",
                        Instant.now().plus(Duration.ofHours(1)));
                send(
                        response,
                        callback,
                        200,
                        "application/x-amz-json-1.1",
                        "{\"IdentityId\":\"" + id + "\",\"Credentials\":{\"AccessKeyId\":\""
                                + issued.accessKeyId() + "\",\"SecretKey\":\"" + issued.secretAccessKey()
                                + "\",\"SessionToken\":\"" + issued.sessionToken()
                                + "\",\"Expiration\":" + issued.expiration().getEpochSecond() + "}}");
            }
            default -> cognitoError(response, callback, "UnknownOperationException", "Unknown operation " + operation);
        }
    }

    /** The Logins map: one entry whose key is the token issuer's host and path (Cognito's rule), holding a valid token. */
    private String loginsProblem(JsonNode logins) {
        if (!logins.isObject() || logins.size() != 1)
            return "Unauthenticated access is not supported for this identity pool.";
        Map.Entry<String, JsonNode> login = logins.fields().next();
        JsonNode claims = claims(login.getValue().asText());
        String problem = tokenProblem(claims);
        if (problem != null) return "Invalid login token. " + problem;
        String issuer = claims.path("iss").asText().replaceFirst("^https?://", "");
        if (!issuer.equals(login.getKey())) return "Invalid login token. Issuer doesn't match providerName";
        return null;
    }

    private static void cognitoError(Response response, Callback callback, String type, String message) {
        response.getHeaders().put("x-amzn-ErrorType", type);
        send(
                response,
                callback,
                400,
                "application/x-amz-json-1.1",
                "{\"__type\":\"" + type + "\",\"message\":" + Json.quote(message) + "}");
    }

    // ---- tokens ----

    private static JsonNode claims(String jwt) {
        if (jwt == null) return null;
        String[] parts = jwt.split("\\.");
        if (parts.length != 3) return null;
        try {
            return Json.MAPPER.readTree(Base64.getUrlDecoder().decode(parts[1]));
        } catch (IOException | IllegalArgumentException e) {
            return null;
        }
    }

    private String tokenProblem(JsonNode claims) {
        if (claims == null || !claims.isObject()) return "Couldn't parse the web identity token: it is not a JWT";
        if (claims.path("exp").asLong(0) < Instant.now().getEpochSecond())
            return "expired: the web identity token has expired";
        String issuer = claims.path("iss").asText("");
        if (!trustedIssuers.isEmpty() && !trustedIssuers.contains(issuer))
            return "No OpenIDConnect provider found in your account for " + issuer;
        return null;
    }

    /** An STS error answer. */
    private record Refusal(int status, String code, String message) {
        static Refusal invalidToken(String message) {
            return new Refusal(400, "InvalidIdentityToken", message);
        }
    }

    /** STS's verdict on the provider, the role's trust and its maximum session; null when it lets the token in. */
    private Refusal trustProblem(String roleArn, String account, JsonNode claims, long seconds) {
        String issuer = claims.path("iss").asText("");
        String host = issuer.replaceFirst("^https://", "");
        if (!oidcProviders.isEmpty()) {
            List<String> clientIds = oidcProviders.get(issuer);
            if (clientIds == null)
                return Refusal.invalidToken("No OpenIDConnect provider found in your account for " + issuer);
            if (!clientIds.contains(audience(claims))) return Refusal.invalidToken("Incorrect token audience");
        }
        if (roles.isEmpty()) return null;
        Role role = roles.get(roleArn);
        Refusal denied = new Refusal(403, "AccessDenied", "Not authorized to perform sts:AssumeRoleWithWebIdentity");
        if (role == null) return denied;
        if (seconds > role.maxSessionSeconds())
            return new Refusal(
                    400,
                    "ValidationError",
                    "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.");
        Map<String, String> context = new HashMap<>();
        context.put(host + ":aud", audience(claims));
        context.put(host + ":sub", claims.path("sub").asText());
        String principal = "arn:aws:iam::" + account + ":oidc-provider/" + host;
        return role.trust().allows(principal, context) ? null : denied;
    }

    private static String audience(JsonNode claims) {
        JsonNode aud = claims.path("aud");
        return aud.isArray() && !aud.isEmpty() ? aud.get(0).asText() : aud.asText();
    }

    private static Map<String, String> form(String text) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String pair : text.split("&")) {
            if (pair.isEmpty()) continue;
            int eq = pair.indexOf('=');
            out.put(
                    URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8),
                    eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
        return out;
    }

    private static String xml(String text) {
        return text.replace("&", "&amp;")
                .replace("<", "&lt;")
                .replace(">", "&gt;")
                .replace("\"", "&quot;");
    }

    private static void send(Response response, Callback callback, int status, String contentType, String body) {
        response.setStatus(status);
        response.getHeaders().put("Content-Type", contentType);
        response.getHeaders().put("x-amzn-RequestId", UUID.randomUUID().toString());
        response.write(true, ByteBuffer.wrap(body.getBytes(StandardCharsets.UTF_8)), callback);
    }

    @Override
    public void close() throws Exception {
        server.stop();
    }
}
