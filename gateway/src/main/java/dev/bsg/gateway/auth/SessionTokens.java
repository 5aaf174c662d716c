package dev.bsg.gateway.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.jwt.proc.BadJWTException;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import dev.bsg.gateway.core.Secrets;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Gateway access tokens: JWTs with {@code iss}, {@code aud}, {@code exp} checked and the algorithm
 * pinned. HS256 by default, where several secrets may verify (rotation) and the first one signs; or
 * ES256 with a key file. Each key is named by a {@code kid}, so verification picks the right one.
 */
@SuppressWarnings("JavaUtilDate") // Nimbus takes and gives times as java.util.Date
public final class SessionTokens {
    public static final String AUDIENCE = "bsg-gateway";
    private static final int MIN_SECRET_BYTES = 32;

    private final JWSAlgorithm algorithm;
    private final String signingKeyId;
    private final JWSSigner signer;
    private final Map<String, JWSVerifier> verifiers;
    private final String issuer;
    private final Duration ttl;
    private final Clock clock;

    /** The claims a verified token carries. */
    public record Session(
            String userId,
            String subject,
            String email,
            String name,
            List<String> groups,
            long expiresAtEpochSecond,
            String tokenId,
            String sessionId) {}

    private SessionTokens(
            JWSAlgorithm algorithm,
            String signingKeyId,
            JWSSigner signer,
            Map<String, JWSVerifier> verifiers,
            String issuer,
            Duration ttl,
            Clock clock) {
        this.algorithm = algorithm;
        this.signingKeyId = signingKeyId;
        this.signer = signer;
        this.verifiers = verifiers;
        this.issuer = issuer;
        this.ttl = ttl;
        this.clock = clock;
    }

    /** HS256 with a rotation list: the first secret signs, every one verifies. */
    public SessionTokens(List<String> secrets, String issuer, Duration ttl, Clock clock) {
        this(hmac(secrets), issuer, ttl, clock);
    }

    private SessionTokens(Hmac hmac, String issuer, Duration ttl, Clock clock) {
        this(JWSAlgorithm.HS256, hmac.signingKeyId(), hmac.signer(), hmac.verifiers(), issuer, ttl, clock);
    }

    private record Hmac(String signingKeyId, JWSSigner signer, Map<String, JWSVerifier> verifiers) {}

    private static Hmac hmac(List<String> secrets) {
        if (secrets.isEmpty()) throw new IllegalArgumentException("at least one session secret is needed");
        Map<String, JWSVerifier> verifiers = new LinkedHashMap<>();
        try {
            for (String secret : secrets) {
                byte[] bytes = secret.getBytes(StandardCharsets.UTF_8);
                if (bytes.length < MIN_SECRET_BYTES)
                    throw new IllegalArgumentException(
                            "session secrets must be at least " + MIN_SECRET_BYTES + " bytes");
                verifiers.put(Secrets.sha256(secret).substring(0, 16), new MACVerifier(bytes));
            }
            String first = secrets.get(0);
            return new Hmac(
                    Secrets.sha256(first).substring(0, 16),
                    new MACSigner(first.getBytes(StandardCharsets.UTF_8)),
                    verifiers);
        } catch (JOSEException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    /** ES256 with an EC P-256 key (a JWK with its private part); verification uses its public half. */
    public static SessionTokens ec(ECKey key, String issuer, Duration ttl, Clock clock) {
        if (!Curve.P_256.equals(key.getCurve()) || !key.isPrivate())
            throw new IllegalArgumentException("the session key must be a private EC P-256 JWK");
        try {
            String kid = key.getKeyID() != null
                    ? key.getKeyID()
                    : key.computeThumbprint().toString().substring(0, 16);
            return new SessionTokens(
                    JWSAlgorithm.ES256,
                    kid,
                    new ECDSASigner(key),
                    Map.of(kid, new ECDSAVerifier(key.toPublicJWK())),
                    issuer,
                    ttl,
                    clock);
        } catch (JOSEException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    public Duration ttl() {
        return ttl;
    }

    public String mint(String userId, String subject, String email, String name, List<String> groups) {
        return mint(userId, subject, email, name, groups, null);
    }

    /** {@code sessionId}: the refresh-token family the token belongs to, so revoking the family revokes it too. */
    public String mint(
            String userId, String subject, String email, String name, List<String> groups, String sessionId) {
        long now = clock.millis();
        JWTClaimsSet claims = new JWTClaimsSet.Builder()
                .issuer(issuer)
                .audience(AUDIENCE)
                .subject(subject)
                .issueTime(new Date(now))
                .expirationTime(new Date(now + ttl.toMillis()))
                .jwtID(UUID.randomUUID().toString())
                .claim("uid", userId)
                .claim("email", email)
                .claim("name", name)
                .claim("groups", groups)
                .claim("sid", sessionId)
                .build();
        SignedJWT jwt = new SignedJWT(
                new JWSHeader.Builder(algorithm)
                        .type(JOSEObjectType.JWT)
                        .keyID(signingKeyId)
                        .build(),
                claims);
        try {
            jwt.sign(signer);
        } catch (JOSEException e) {
            throw new IllegalStateException("signing a session token failed", e);
        }
        return jwt.serialize();
    }

    /** True for strings shaped like a compact JWS, so other credentials skip the JWT path. */
    public static boolean looksLikeJwt(String credential) {
        int first = credential.indexOf('.');
        return first > 0 && credential.indexOf('.', first + 1) > first && credential.startsWith("ey");
    }

    /** The session in a token, or null when it is not one of ours, is expired or was tampered with. */
    public Session verify(String token) {
        SignedJWT jwt;
        try {
            jwt = SignedJWT.parse(token);
        } catch (ParseException e) {
            return null;
        }
        if (!algorithm.equals(jwt.getHeader().getAlgorithm())) return null;
        JWSVerifier verifier0 = jwt.getHeader().getKeyID() == null
                ? null
                : verifiers.get(jwt.getHeader().getKeyID());
        try {
            if (verifier0 == null || !jwt.verify(verifier0)) return null;
            JWTClaimsSet claims = jwt.getJWTClaimsSet();
            DefaultJWTClaimsVerifier<?> verifier =
                    new DefaultJWTClaimsVerifier<>(
                            AUDIENCE,
                            new JWTClaimsSet.Builder().issuer(issuer).build(),
                            Set.of("sub", "exp", "iat", "uid")) {
                        @Override
                        protected Date currentTime() {
                            return new Date(clock.millis());
                        }
                    };
            verifier.setMaxClockSkew(30);
            verifier.verify(claims, null);
            List<String> groups = claims.getStringListClaim("groups");
            return new Session(
                    claims.getStringClaim("uid"),
                    claims.getSubject(),
                    claims.getStringClaim("email"),
                    claims.getStringClaim("name"),
                    groups == null ? List.of() : groups,
                    claims.getExpirationTime().toInstant().getEpochSecond(),
                    claims.getJWTID(),
                    claims.getStringClaim("sid"));
        } catch (JOSEException | ParseException | BadJWTException e) {
            return null;
        }
    }
}
