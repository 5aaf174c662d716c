package dev.bsg.gateway.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.jwt.proc.BadJWTException;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * Gateway access tokens: HS256 JWTs with {@code iss}, {@code aud}, {@code exp} checked and the
 * algorithm pinned. Several secrets may verify (rotation); the first one signs. Each secret is
 * named by a {@code kid} derived from it, so verification picks the right one.
 */
public final class SessionTokens {
    public static final String AUDIENCE = "bsg-gateway";
    private static final int MIN_SECRET_BYTES = 32;

    private record Key(String id, byte[] secret, MACVerifier verifier) {}

    private final List<Key> keys = new ArrayList<>();
    private final MACSigner signer;
    private final String issuer;
    private final Duration ttl;
    private final Clock clock;

    /** The claims a verified token carries. */
    public record Session(String userId, String subject, String email, String name, List<String> groups, long expiresAtEpochSecond) {}

    public SessionTokens(List<String> secrets, String issuer, Duration ttl, Clock clock) {
        if (secrets.isEmpty()) throw new IllegalArgumentException("at least one session secret is needed");
        for (String secret : secrets) {
            byte[] bytes = secret.getBytes(StandardCharsets.UTF_8);
            if (bytes.length < MIN_SECRET_BYTES) throw new IllegalArgumentException("session secrets must be at least " + MIN_SECRET_BYTES + " bytes");
            try {
                keys.add(new Key(Secrets.sha256(secret).substring(0, 16), bytes, new MACVerifier(bytes)));
            } catch (JOSEException e) {
                throw new IllegalArgumentException(e.getMessage(), e);
            }
        }
        try {
            this.signer = new MACSigner(keys.get(0).secret());
        } catch (JOSEException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        this.issuer = issuer;
        this.ttl = ttl;
        this.clock = clock;
    }

    public Duration ttl() {
        return ttl;
    }

    public String mint(String userId, String subject, String email, String name, List<String> groups) {
        long now = clock.millis();
        JWTClaimsSet claims = new JWTClaimsSet.Builder()
                .issuer(issuer).audience(AUDIENCE).subject(subject)
                .issueTime(new Date(now)).expirationTime(new Date(now + ttl.toMillis()))
                .jwtID(UUID.randomUUID().toString())
                .claim("uid", userId).claim("email", email).claim("name", name).claim("groups", groups)
                .build();
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).type(JOSEObjectType.JWT).keyID(keys.get(0).id()).build(), claims);
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
        if (!JWSAlgorithm.HS256.equals(jwt.getHeader().getAlgorithm())) return null;
        Key key = keyFor(jwt.getHeader().getKeyID());
        try {
            if (key == null || !jwt.verify(key.verifier())) return null;
            JWTClaimsSet claims = jwt.getJWTClaimsSet();
            DefaultJWTClaimsVerifier<?> verifier = new DefaultJWTClaimsVerifier<>(AUDIENCE,
                    new JWTClaimsSet.Builder().issuer(issuer).build(), Set.of("sub", "exp", "iat", "uid")) {
                @Override
                protected Date currentTime() {
                    return new Date(clock.millis());
                }
            };
            verifier.setMaxClockSkew(30);
            verifier.verify(claims, null);
            List<String> groups = claims.getStringListClaim("groups");
            return new Session(claims.getStringClaim("uid"), claims.getSubject(), claims.getStringClaim("email"),
                    claims.getStringClaim("name"), groups == null ? List.of() : groups, claims.getExpirationTime().toInstant().getEpochSecond());
        } catch (JOSEException | ParseException | BadJWTException e) {
            return null;
        }
    }

    private Key keyFor(String kid) {
        for (Key key : keys) if (key.id().equals(kid)) return key;
        return null;
    }
}
