package dev.bsg.identity;

import java.net.URI;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.SdkHttpFullRequest;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;

/** Signs a Bedrock POST with the AWS SDK's SigV4 signer: the gateway's upstream calls and {@code bsg doctor}'s check. */
public final class SigV4 {
    private static final AwsV4HttpSigner SIGNER = AwsV4HttpSigner.create();

    private SigV4() {}

    /** The headers that authenticate this request (Authorization, X-Amz-Date, X-Amz-Security-Token...), with those given. */
    public static Map<String, List<String>> signBedrock(
            AwsCredentialsIdentity credentials, URI uri, String region, Map<String, String> headers, byte[] body) {
        SdkHttpFullRequest.Builder request =
                SdkHttpFullRequest.builder().method(SdkHttpMethod.POST).uri(uri);
        headers.forEach(request::putHeader);
        return SIGNER.sign(r -> r.identity(credentials)
                        .request(request.build())
                        .payload(ContentStreamProvider.fromByteArrayUnsafe(body))
                        .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, "bedrock")
                        .putProperty(AwsV4HttpSigner.REGION_NAME, region))
                .request()
                .headers();
    }
}
