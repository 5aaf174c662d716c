package dev.bsg.simulator;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.signer.Aws4Signer;
import software.amazon.awssdk.auth.signer.params.Aws4SignerParams;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.SdkHttpFullRequest;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.identity.spi.AwsSessionCredentialsIdentity;
import software.amazon.awssdk.regions.Region;

/**
 * Checks a SigV4 signature the way AWS does: recomputes it with the AWS SDK's own signer over the
 * headers the client said it signed, at the time it said it signed, and compares.
 */
final class SigV4Verifier {
    private static final Pattern AUTH = Pattern.compile(
            "AWS4-HMAC-SHA256 Credential=([^/]+)/([0-9]{8})/([^/]+)/([^/]+)/aws4_request, ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]{64})");
    private static final DateTimeFormatter AMZ_DATE =
            DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
    private static final AwsV4HttpSigner SIGNER = AwsV4HttpSigner.create();

    @SuppressWarnings("deprecation")
    private static final Aws4Signer CLASSIC = Aws4Signer.create();

    private final Function<String, String> secrets;
    private final String service;

    /** @param secrets the secret key of an access key id, or null when it is unknown */
    SigV4Verifier(Function<String, String> secrets, String service) {
        this.secrets = secrets;
        this.service = service;
    }

    /** Null when the signature is valid; otherwise the reason, worded as AWS words it. */
    String verify(String method, String rawPathAndQuery, Map<String, List<String>> headers, byte[] body) {
        String authorization = first(headers, "authorization");
        Matcher m = authorization == null ? null : AUTH.matcher(authorization);
        if (m == null || !m.matches()) return "Authorization header requires a valid SigV4 signature";
        String accessKey = m.group(1);
        String region = m.group(3);
        String scopedService = m.group(4);
        String secret = secrets.apply(accessKey);
        if (secret == null) return "The security token included in the request is invalid.";
        if (!scopedService.equals(service)) return "Credential should be scoped to correct service: '" + service + "'.";
        Instant signedAt;
        try {
            signedAt = Instant.from(AMZ_DATE.parse(first(headers, "x-amz-date")));
        } catch (DateTimeParseException | NullPointerException e) {
            return "Missing or malformed X-Amz-Date";
        }
        if (Duration.between(signedAt, Instant.now()).abs().toMinutes() > 15) return "Signature expired";

        URI uri = URI.create("http://" + first(headers, "host") + rawPathAndQuery);
        SdkHttpFullRequest.Builder request = SdkHttpFullRequest.builder()
                .method(SdkHttpMethod.fromValue(method))
                .protocol("http")
                .host(uri.getHost())
                .port(uri.getPort())
                .encodedPath(uri.getRawPath());
        if (uri.getRawQuery() != null) {
            for (String pair : uri.getRawQuery().split("&")) {
                int eq = pair.indexOf('=');
                String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
                String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
                request.appendRawQueryParameter(key, value);
            }
        }
        for (String name : m.group(5).split(";")) {
            List<String> values = headers.get(name);
            if (values == null) return "Signed header " + name + " is missing";
            if (!name.equals("host")) request.putHeader(name, values);
        }
        String token = first(headers, "x-amz-security-token");
        AwsCredentialsIdentity identity = token == null
                ? AwsCredentialsIdentity.create(accessKey, secret)
                : AwsSessionCredentialsIdentity.create(accessKey, secret, token);
        boolean unsignedPayload = "UNSIGNED-PAYLOAD".equals(first(headers, "x-amz-content-sha256"));
        SdkHttpRequest signed;
        if (m.group(5).contains("x-amz-content-sha256")) {
            signed = SIGNER.sign(r -> r.identity(identity)
                            .request(request.build())
                            .payload(ContentStreamProvider.fromByteArray(body))
                            .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, scopedService)
                            .putProperty(AwsV4HttpSigner.REGION_NAME, region)
                            .putProperty(AwsV4HttpSigner.PAYLOAD_SIGNING_ENABLED, !unsignedPayload)
                            .putProperty(AwsV4HttpSigner.SIGNING_CLOCK, Clock.fixed(signedAt, ZoneOffset.UTC)))
                    .request();
        } else {
            // Clients that don't sign a payload-hash header (botocore, for most services): the SDK's classic
            // signer signs exactly the headers given, where the newer one adds x-amz-content-sha256.
            AwsCredentials credentials = token == null
                    ? AwsBasicCredentials.create(accessKey, secret)
                    : AwsSessionCredentials.create(accessKey, secret, token);
            signed = CLASSIC.sign(
                    request.contentStreamProvider(ContentStreamProvider.fromByteArray(body))
                            .build(),
                    Aws4SignerParams.builder()
                            .awsCredentials(credentials)
                            .signingName(scopedService)
                            .signingRegion(Region.of(region))
                            .signingClockOverride(Clock.fixed(signedAt, ZoneOffset.UTC))
                            .build());
        }
        String expected = signed.firstMatchingHeader("Authorization").orElse("");
        return expected.endsWith("Signature=" + m.group(6))
                ? null
                : "The request signature we calculated does not match the signature you provided.";
    }

    private static String first(Map<String, List<String>> headers, String name) {
        List<String> values = headers.get(name);
        return values == null || values.isEmpty() ? null : values.get(0);
    }
}
