package dev.bsg.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import org.junit.jupiter.api.Test;

/** The pieces of the federation client that read what AWS answers (the calls themselves run against the simulator in CredentialProcessIT). */
class AwsFederationTest {
    @Test
    void readsTheCodeAndMessageOfAnStsErrorAndTheFieldsOfItsAnswer() {
        assertThat(
                        AwsFederation.xmlFields(
                                "<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><Error><Type>Sender</Type>"
                                        + "<Code>AccessDenied</Code><Message>Not authorized to perform sts:AssumeRoleWithWebIdentity</Message></Error></ErrorResponse>"))
                .containsEntry("Code", "AccessDenied")
                .containsEntry("Message", "Not authorized to perform sts:AssumeRoleWithWebIdentity");
        assertThat(AwsFederation.xmlFields(
                        "<R><Credentials><AccessKeyId>ASIA1</AccessKeyId><Expiration>2026-12-02T20:00:00Z</Expiration>"
                                + "<SessionToken>a&amp;b</SessionToken></Credentials></R>"))
                .containsEntry("AccessKeyId", "ASIA1")
                .containsEntry("Expiration", "2026-12-02T20:00:00Z")
                .containsEntry("SessionToken", "a&b");
    }

    @Test
    void neitherADocumentTypeNorAnEntityNorNonsenseGetsAnywhere() {
        String xxe =
                "<?xml version=\"1.0\"?><!DOCTYPE r [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><r><Code>&x;</Code></r>";
        assertThat(AwsFederation.xmlFields(xxe).getOrDefault("Code", "")).doesNotContain("root:");
        assertThat(AwsFederation.xmlFields("<html><body>502 Bad Gateway")).doesNotContainKey("Code");
        assertThat(AwsFederation.xmlFields("")).isEmpty();
    }

    @Test
    void errorTypesLoseTheirNamespaceAndDocumentationLink() {
        assertThat(AwsFederation.errorCode("com.amazonaws.cognito.identity.model#NotAuthorizedException"))
                .isEqualTo("NotAuthorizedException");
        assertThat(AwsFederation.errorCode("NotAuthorizedException:http://internal.amazon.com/coral/"))
                .isEqualTo("NotAuthorizedException");
        assertThat(AwsFederation.errorCode("ThrottlingException")).isEqualTo("ThrottlingException");
    }

    @Test
    void theRegionalEndpointIncludingChinasPartition() {
        assertThat(AwsFederation.endpoint(profile("eu-west-1"), "BSG_TEST_UNSET_VARIABLE", "sts"))
                .isEqualTo(URI.create("https://sts.eu-west-1.amazonaws.com/"));
        assertThat(AwsFederation.endpoint(profile("cn-north-1"), "BSG_TEST_UNSET_VARIABLE", "cognito-identity"))
                .isEqualTo(URI.create("https://cognito-identity.cn-north-1.amazonaws.com.cn/"));
    }

    private static AwsProfile profile(String region) {
        return new AwsProfile(
                "p",
                "https://idp.example.com",
                "client",
                null,
                8400,
                "direct",
                "arn:aws:iam::123456789012:role/R",
                3600,
                region,
                null,
                "file",
                null,
                null,
                null);
    }
}
