package dev.bsg.cli;

import java.net.URI;
import java.time.Instant;
import java.util.Map;
import software.amazon.awssdk.auth.credentials.AnonymousCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.cognitoidentity.CognitoIdentityClient;
import software.amazon.awssdk.services.sts.StsClient;

/**
 * Turns a verified ID token into temporary AWS credentials: the Cognito Identity pool's enhanced flow,
 * or STS AssumeRoleWithWebIdentity with the person's email as the role session name (so CloudTrail and
 * the bill show who). Unsigned calls: no AWS credentials are looked up, so this never calls itself
 * through a profile's credential_process.
 */
final class AwsFederation {
    record Credentials(String accessKeyId, String secretAccessKey, String sessionToken, Instant expiration) {}

    private AwsFederation() {}

    static Credentials exchange(AwsProfile profile, String idToken, String email) {
        try {
            return profile.federation().equals("direct") ? assumeRole(profile, idToken, email) : cognito(profile, idToken);
        } catch (AwsServiceException e) {
            String code = e.awsErrorDetails() == null ? "" : e.awsErrorDetails().errorCode();
            throw new CliException("AWS refused the sign-in (" + code + "): " + (e.awsErrorDetails() == null ? e.getMessage() : e.awsErrorDetails().errorMessage())
                    + " — check " + (profile.federation().equals("direct") ? "role_arn and the role's trust of " + profile.issuer()
                    : "identity_pool_id and the pool's identity provider " + providerName(profile.issuer())) + " (profile '" + profile.name() + "')");
        } catch (SdkException e) {
            throw new CliException("AWS could not be reached for credentials: " + e.getMessage()
                    + (failedOverTls(e) ? " (if a TLS-inspecting proxy is in the way, set AWS_CA_BUNDLE to a PEM file of its CA)" : ""));
        }
    }

    private static Credentials assumeRole(AwsProfile profile, String idToken, String email) {
        try (StsClient sts = configure(StsClient.builder(), profile, "AWS_ENDPOINT_URL_STS").build()) {
            var credentials = sts.assumeRoleWithWebIdentity(r -> r.roleArn(profile.roleArn()).roleSessionName(sessionName(email))
                    .webIdentityToken(idToken).durationSeconds(profile.sessionDurationSeconds())).credentials();
            return new Credentials(credentials.accessKeyId(), credentials.secretAccessKey(), credentials.sessionToken(), credentials.expiration());
        }
    }

    private static Credentials cognito(AwsProfile profile, String idToken) {
        Map<String, String> logins = Map.of(providerName(profile.issuer()), idToken);
        try (CognitoIdentityClient cognito = configure(CognitoIdentityClient.builder(), profile, "AWS_ENDPOINT_URL_COGNITO_IDENTITY").build()) {
            String identity = cognito.getId(r -> r.identityPoolId(profile.identityPoolId()).logins(logins)).identityId();
            var credentials = cognito.getCredentialsForIdentity(r -> r.identityId(identity).logins(logins)).credentials();
            return new Credentials(credentials.accessKeyId(), credentials.secretKey(), credentials.sessionToken(), credentials.expiration());
        }
    }

    private static <B extends software.amazon.awssdk.awscore.client.builder.AwsSyncClientBuilder<B, ?>
            & software.amazon.awssdk.awscore.client.builder.AwsClientBuilder<B, ?>> B configure(B builder, AwsProfile profile, String endpointVariable) {
        UrlConnectionHttpClient.Builder http = UrlConnectionHttpClient.builder();
        javax.net.ssl.TrustManager[] trust = awsCaBundle();
        if (trust != null) http.tlsTrustManagersProvider(() -> trust);
        builder.httpClient(http.build()).region(Region.of(profile.region())).credentialsProvider(AnonymousCredentialsProvider.create());
        String endpoint = System.getenv(endpointVariable);
        if (endpoint == null) endpoint = System.getenv("AWS_ENDPOINT_URL");
        if (endpoint != null && !endpoint.isBlank()) builder.endpointOverride(URI.create(endpoint));
        return builder;
    }

    /** Whether a failed call failed in TLS (an untrusted certificate, most likely), wherever in the cause chain. */
    static boolean failedOverTls(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof javax.net.ssl.SSLException) return true;
        }
        return false;
    }

    /** The CAs of {@code AWS_CA_BUNDLE} when it is set (as AWS tools honour it, say behind a TLS-inspecting proxy), else null: the JDK's. */
    static javax.net.ssl.TrustManager[] awsCaBundle() {
        String bundle = System.getenv("AWS_CA_BUNDLE");
        if (bundle == null || bundle.isBlank()) return null;
        try {
            return dev.bsg.gateway.upstream.TrustedCertificates.trustManagers(java.nio.file.Path.of(bundle));
        } catch (java.io.IOException | java.security.GeneralSecurityException e) {
            throw new CliException("AWS_CA_BUNDLE names " + bundle + ", which can't be used as a PEM file of CA certificates (" + e.getMessage()
                    + "); fix it, or unset it to trust the usual CAs");
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
