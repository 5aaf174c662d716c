package dev.bsg.gateway.auth;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.bsg.gateway.core.Secrets;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import org.junit.jupiter.api.Test;

class SessionTokensTest {
    static final String SECRET = "a-session-secret-that-is-long-enough-0001";
    static final String OLD_SECRET = "an-older-session-secret-still-accepted-02";
    static final String ISSUER = "https://gateway.example.com";
    static final Instant NOW = Instant.parse("2026-11-25T12:00:00Z");

    static SessionTokens tokens(List<String> secrets, Instant now) {
        return new SessionTokens(secrets, ISSUER, Duration.ofHours(1), Clock.fixed(now, ZoneOffset.UTC));
    }

    static String mint(SessionTokens tokens) {
        return tokens.mint("usr_1", "idp-subject-1", "alice@example.com", "Alice", List.of("eng", "admins"));
    }

    @Test
    void aMintedTokenVerifiesWithItsClaims() {
        SessionTokens tokens = tokens(List.of(SECRET), NOW);
        SessionTokens.Session session = tokens.verify(mint(tokens));
        assertThat(session).isNotNull();
        assertThat(session.userId()).isEqualTo("usr_1");
        assertThat(session.email()).isEqualTo("alice@example.com");
        assertThat(session.groups()).containsExactly("eng", "admins");
        assertThat(session.expiresAtEpochSecond())
                .isEqualTo(NOW.plus(Duration.ofHours(1)).getEpochSecond());
    }

    @Test
    void expiredTokensAreRefused() {
        String token = mint(tokens(List.of(SECRET), NOW));
        assertThat(tokens(List.of(SECRET), NOW.plus(Duration.ofMinutes(61))).verify(token))
                .isNull();
        assertThat(tokens(List.of(SECRET), NOW.plus(Duration.ofMinutes(59))).verify(token))
                .isNotNull();
    }

    @Test
    void rotationKeepsOldTokensValidUntilTheOldSecretIsDropped() {
        String old = mint(tokens(List.of(OLD_SECRET), NOW));
        assertThat(tokens(List.of(SECRET, OLD_SECRET), NOW).verify(old)).isNotNull();
        assertThat(tokens(List.of(SECRET), NOW).verify(old)).as("a foreign key").isNull();
    }

    @Test
    void tamperingWrongAudienceWrongIssuerAlgNoneAndOtherAlgorithmsAreRefused() throws Exception {
        SessionTokens tokens = tokens(List.of(SECRET), NOW);
        String good = mint(tokens);
        String[] parts = good.split("\\.");
        String claims =
                new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8).replace("usr_1", "usr_2");
        String tampered = parts[0] + "."
                + Base64.getUrlEncoder().withoutPadding().encodeToString(claims.getBytes(StandardCharsets.UTF_8)) + "."
                + parts[2];
        assertThat(tokens.verify(tampered)).isNull();

        String none = Base64.getUrlEncoder()
                        .withoutPadding()
                        .encodeToString("{\"alg\":\"none\"}".getBytes(StandardCharsets.UTF_8))
                + "." + parts[1] + ".";
        assertThat(tokens.verify(none)).isNull();

        String kid = Secrets.sha256(SECRET).substring(0, 16);
        assertThat(tokens.verify(signed(JWSAlgorithm.HS256, kid, SessionTokens.AUDIENCE, ISSUER)))
                .as("control")
                .isNotNull();
        assertThat(tokens.verify(signed(JWSAlgorithm.HS256, kid, "someone-else", ISSUER)))
                .isNull();
        assertThat(tokens.verify(signed(JWSAlgorithm.HS256, kid, SessionTokens.AUDIENCE, "https://evil.example.com")))
                .isNull();
        assertThat(tokens.verify(signed(JWSAlgorithm.HS512, kid, SessionTokens.AUDIENCE, ISSUER)))
                .as("alg is pinned")
                .isNull();
        assertThat(tokens.verify("not.a.jwt")).isNull();
    }

    @Test
    void es256TokensVerifyWithTheKeysPublicHalfAndTheAlgorithmStaysPinned() throws Exception {
        ECKey key = new ECKeyGenerator(Curve.P_256).keyID("k1").generate();
        SessionTokens ec = SessionTokens.ec(key, ISSUER, Duration.ofHours(1), Clock.fixed(NOW, ZoneOffset.UTC));
        String token = mint(ec);
        assertThat(token.split("\\.")[0])
                .isEqualTo(Base64.getUrlEncoder()
                        .withoutPadding()
                        .encodeToString(
                                new String(Base64.getUrlDecoder().decode(token.split("\\.")[0]), StandardCharsets.UTF_8)
                                        .getBytes(StandardCharsets.UTF_8)));
        assertThat(new String(Base64.getUrlDecoder().decode(token.split("\\.")[0]), StandardCharsets.UTF_8))
                .contains("\"alg\":\"ES256\"");
        assertThat(ec.verify(token)).isNotNull();
        assertThat(ec.verify(mint(tokens(List.of(SECRET), NOW))))
                .as("an HS256 token is refused by an ES256 gateway")
                .isNull();
        SessionTokens other = SessionTokens.ec(
                new ECKeyGenerator(Curve.P_256).keyID("k1").generate(),
                ISSUER,
                Duration.ofHours(1),
                Clock.fixed(NOW, ZoneOffset.UTC));
        assertThat(other.verify(token)).as("a foreign key with the same kid").isNull();
    }

    static String signed(JWSAlgorithm algorithm, String kid, String audience, String issuer) throws Exception {
        JWTClaimsSet claims = new JWTClaimsSet.Builder()
                .issuer(issuer)
                .audience(audience)
                .subject("s")
                .claim("uid", "usr_1")
                .issueTime(Date.from(NOW))
                .expirationTime(Date.from(NOW.plusSeconds(600)))
                .build();
        SignedJWT jwt =
                new SignedJWT(new JWSHeader.Builder(algorithm).keyID(kid).build(), claims);
        jwt.sign(new MACSigner(
                (SECRET + SECRET).getBytes(StandardCharsets.UTF_8).length >= 64 && algorithm.equals(JWSAlgorithm.HS512)
                        ? (SECRET + SECRET).getBytes(StandardCharsets.UTF_8)
                        : SECRET.getBytes(StandardCharsets.UTF_8)));
        return jwt.serialize();
    }
}
