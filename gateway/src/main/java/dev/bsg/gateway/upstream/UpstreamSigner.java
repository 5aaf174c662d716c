package dev.bsg.gateway.upstream;

import dev.bsg.gateway.http.HttpError;
import dev.bsg.gateway.settings.Settings;
import dev.bsg.identity.SigV4;
import dev.bsg.protocol.errors.ApiError;
import java.net.URI;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.ProfileCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

/** Authenticates upstream requests: SigV4 with the AWS SDK's signer and credential chain, or a Bedrock API key. */
public final class UpstreamSigner {
    private final AwsCredentialsProvider credentials;
    private final String bearerToken;

    private UpstreamSigner(AwsCredentialsProvider credentials, String bearerToken) {
        this.credentials = credentials;
        this.bearerToken = bearerToken;
    }

    public static UpstreamSigner from(Settings.Upstream settings) {
        return switch (settings.credentialSource()) {
            case BEARER -> new UpstreamSigner(null, settings.bearerToken());
            case STATIC ->
                new UpstreamSigner(
                        StaticCredentialsProvider.create(
                                settings.sessionToken() == null
                                        ? AwsBasicCredentials.create(settings.accessKeyId(), settings.secretAccessKey())
                                        : AwsSessionCredentials.create(
                                                settings.accessKeyId(),
                                                settings.secretAccessKey(),
                                                settings.sessionToken())),
                        null);
            case PROFILE -> new UpstreamSigner(ProfileCredentialsProvider.create(settings.profile()), null);
            case DEFAULT ->
                new UpstreamSigner(DefaultCredentialsProvider.builder().build(), null);
        };
    }

    /** The headers that authenticate this request (Authorization, X-Amz-Date, X-Amz-Security-Token...). */
    public Map<String, List<String>> sign(URI uri, String region, Map<String, String> headers, byte[] body) {
        if (bearerToken != null) return Map.of("Authorization", List.of("Bearer " + bearerToken));
        AwsCredentials identity;
        try {
            identity = credentials.resolveCredentials();
        } catch (RuntimeException e) {
            throw new HttpError(ApiError.unavailable("the gateway has no usable AWS credentials for Bedrock ("
                    + e.getMessage() + "); an operator must fix upstream.credentials"));
        }
        return SigV4.signBedrock(identity, uri, region, headers, body);
    }

    /** Null when credentials resolve; otherwise why not, for /readyz and bsg doctor. */
    public String problem() {
        if (bearerToken != null) return null;
        try {
            credentials.resolveCredentials();
            return null;
        } catch (RuntimeException e) {
            return e.getMessage();
        }
    }
}
