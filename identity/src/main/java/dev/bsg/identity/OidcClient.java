package dev.bsg.identity;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jwt.JWT;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.oauth2.sdk.AuthorizationCode;
import com.nimbusds.oauth2.sdk.AuthorizationCodeGrant;
import com.nimbusds.oauth2.sdk.AuthorizationGrant;
import com.nimbusds.oauth2.sdk.ErrorObject;
import com.nimbusds.oauth2.sdk.OAuth2Error;
import com.nimbusds.oauth2.sdk.RefreshTokenGrant;
import com.nimbusds.oauth2.sdk.ResponseType;
import com.nimbusds.oauth2.sdk.Scope;
import com.nimbusds.oauth2.sdk.TokenRequest;
import com.nimbusds.oauth2.sdk.TokenResponse;
import com.nimbusds.oauth2.sdk.auth.ClientAuthentication;
import com.nimbusds.oauth2.sdk.auth.ClientSecretBasic;
import com.nimbusds.oauth2.sdk.auth.Secret;
import com.nimbusds.oauth2.sdk.device.DeviceAuthorizationGrantError;
import com.nimbusds.oauth2.sdk.device.DeviceAuthorizationRequest;
import com.nimbusds.oauth2.sdk.device.DeviceAuthorizationResponse;
import com.nimbusds.oauth2.sdk.device.DeviceAuthorizationSuccessResponse;
import com.nimbusds.oauth2.sdk.device.DeviceCode;
import com.nimbusds.oauth2.sdk.device.DeviceCodeGrant;
import com.nimbusds.oauth2.sdk.id.ClientID;
import com.nimbusds.oauth2.sdk.id.Issuer;
import com.nimbusds.oauth2.sdk.id.State;
import com.nimbusds.oauth2.sdk.pkce.CodeChallengeMethod;
import com.nimbusds.oauth2.sdk.pkce.CodeVerifier;
import com.nimbusds.oauth2.sdk.token.RefreshToken;
import com.nimbusds.openid.connect.sdk.AuthenticationRequest;
import com.nimbusds.openid.connect.sdk.Nonce;
import com.nimbusds.openid.connect.sdk.OIDCTokenResponse;
import com.nimbusds.openid.connect.sdk.OIDCTokenResponseParser;
import com.nimbusds.openid.connect.sdk.UserInfoRequest;
import com.nimbusds.openid.connect.sdk.UserInfoResponse;
import com.nimbusds.openid.connect.sdk.op.OIDCProviderMetadata;
import com.nimbusds.openid.connect.sdk.validators.IDTokenValidator;
import java.net.URI;
import java.net.URL;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The gateway as an OpenID Connect client of the company's identity provider: discovery, the
 * authorization-code flow with PKCE S256, state and nonce, and an ID token verified against the
 * issuer's JWKS. Identity comes from the ID token, with userinfo as fallback for the email.
 */
public final class OidcClient {
    private final OidcSettings settings;
    private final Supplier<URI> redirectUri;
    private volatile Provider provider;

    private record Provider(OIDCProviderMetadata metadata, IDTokenValidator validator) {}

    /**
     * Who signed in, as the identity provider vouches, with its refresh token when it gave one
     * (offline_access); {@code idToken} is the verified ID token itself, for what must pass it on (AWS federation).
     */
    public record Identity(
            String subject,
            String email,
            String name,
            List<String> groups,
            String idpRefreshToken,
            String idToken,
            Map<String, Object> claims) {}

    /** What the browser is sent to, and what the gateway must remember until it comes back. */
    public record Authorization(URI uri, State state, Nonce nonce, CodeVerifier verifier) {}

    /** A device sign-in under way: what the person is shown, and what this side polls with. */
    public record DeviceSignIn(
            DeviceCode deviceCode,
            String userCode,
            URI verificationUri,
            URI verificationUriComplete,
            Duration interval,
            Instant expires) {}

    /** The redirect URI is asked for late, because the port may only be known once the server listens. */
    public OidcClient(OidcSettings settings, Supplier<URI> redirectUri) {
        this.settings = settings;
        this.redirectUri = redirectUri;
    }

    private Provider provider() throws OidcException {
        Provider current = provider;
        if (current != null) return current;
        try {
            OIDCProviderMetadata metadata = OIDCProviderMetadata.resolve(new Issuer(settings.issuer()));
            List<JWSAlgorithm> algorithms = metadata.getIDTokenJWSAlgs() == null
                            || metadata.getIDTokenJWSAlgs().isEmpty()
                    ? List.of(JWSAlgorithm.RS256)
                    : metadata.getIDTokenJWSAlgs();
            JWSAlgorithm algorithm = algorithms.contains(JWSAlgorithm.RS256) ? JWSAlgorithm.RS256 : algorithms.get(0);
            URL jwks = metadata.getJWKSetURI().toURL();
            IDTokenValidator validator =
                    new IDTokenValidator(metadata.getIssuer(), new ClientID(settings.clientId()), algorithm, jwks);
            current = new Provider(metadata, validator);
            provider = current;
            return current;
        } catch (Exception e) {
            throw new OidcException(
                    "the identity provider at " + settings.issuer() + " could not be discovered: " + e.getMessage());
        }
    }

    public Authorization authorize() throws OidcException {
        State state = new State();
        Nonce nonce = new Nonce();
        CodeVerifier verifier = new CodeVerifier();
        Provider current = provider();
        URI uri = new AuthenticationRequest.Builder(
                        new ResponseType(ResponseType.Value.CODE),
                        scopes(current),
                        new ClientID(settings.clientId()),
                        redirectUri.get())
                .endpointURI(current.metadata().getAuthorizationEndpointURI())
                .state(state)
                .nonce(nonce)
                .codeChallenge(verifier, CodeChallengeMethod.S256)
                .build()
                .toURI();
        return new Authorization(uri, state, nonce, verifier);
    }

    /** The configured scopes, without offline_access where the provider says it has none. */
    private Scope scopes(Provider current) {
        List<String> scopes = new ArrayList<>(settings.scopes());
        List<String> supported = current.metadata().getScopes() == null
                ? null
                : current.metadata().getScopes().toStringList();
        if (supported != null && !supported.contains("offline_access")) scopes.remove("offline_access");
        return new Scope(scopes.toArray(String[]::new));
    }

    /** Whether the provider's discovery document names a device authorization endpoint; false when it can't be discovered. */
    public boolean offersDeviceSignIn() {
        try {
            return provider().metadata().getDeviceAuthorizationEndpointURI() != null;
        } catch (OidcException e) {
            return false;
        }
    }

    /**
     * Starts a sign-in for a machine without a browser (RFC 8628): the person opens the verification
     * URI anywhere and enters the user code; {@link #awaitDeviceSignIn} then collects the identity.
     */
    public DeviceSignIn startDeviceSignIn() throws OidcException {
        Provider current = provider();
        URI endpoint = current.metadata().getDeviceAuthorizationEndpointURI();
        if (endpoint == null) {
            throw new OidcException("the identity provider at " + settings.issuer()
                    + " offers no device sign-in (its discovery document has no "
                    + "device_authorization_endpoint); sign in without --device, on a machine with a browser");
        }
        DeviceAuthorizationRequest request = settings.clientSecret() == null
                ? new DeviceAuthorizationRequest(endpoint, new ClientID(settings.clientId()), scopes(current))
                : new DeviceAuthorizationRequest(endpoint, clientAuthentication(), scopes(current), Map.of());
        try {
            DeviceAuthorizationResponse response =
                    DeviceAuthorizationResponse.parse(request.toHTTPRequest().send());
            if (!response.indicatesSuccess()) {
                throw new OidcException("the identity provider refused the device sign-in: "
                        + describe(response.toErrorResponse().getErrorObject()));
            }
            DeviceAuthorizationSuccessResponse started = response.toSuccessResponse();
            return new DeviceSignIn(
                    started.getDeviceCode(),
                    started.getUserCode().getValue(),
                    started.getVerificationURI(),
                    started.getVerificationURIComplete(),
                    Duration.ofSeconds(Math.max(1, started.getInterval())),
                    Instant.now().plusSeconds(started.getLifetime()));
        } catch (OidcException e) {
            throw e;
        } catch (Exception e) {
            throw new OidcException("the device sign-in could not be started: " + e.getMessage());
        }
    }

    /** Polls the token endpoint at the pace the provider asks for until the person approved, refused, or the code expired. */
    public Identity awaitDeviceSignIn(DeviceSignIn pending) throws OidcException, InterruptedException {
        Provider current = provider();
        TokenRequest request = tokenRequest(current, new DeviceCodeGrant(pending.deviceCode()));
        Duration interval = pending.interval();
        while (true) {
            Thread.sleep(interval.toMillis());
            TokenResponse response = send(request);
            if (response.indicatesSuccess())
                return identityFrom(current, response, null, "the identity provider refused the device sign-in");
            ErrorObject error = response.toErrorResponse().getErrorObject();
            if (DeviceAuthorizationGrantError.SLOW_DOWN.equals(error)) interval = interval.plusSeconds(5);
            else if (DeviceAuthorizationGrantError.EXPIRED_TOKEN.equals(error)) throw expired(pending);
            else if (OAuth2Error.ACCESS_DENIED.equals(error)) {
                throw new OidcException(
                        "the sign-in was refused at the identity provider; run the command again to retry");
            } else if (!DeviceAuthorizationGrantError.AUTHORIZATION_PENDING.equals(error)) {
                throw new OidcException("the identity provider refused the device sign-in: " + describe(error));
            }
            if (Instant.now().isAfter(pending.expires())) throw expired(pending);
        }
    }

    private static OidcException expired(DeviceSignIn pending) {
        return new OidcException(
                "the code " + pending.userCode() + " expired before the sign-in was approved; run the command again");
    }

    /** Redeems the code the browser brought back and returns the verified identity. */
    public Identity redeem(String code, Nonce expectedNonce, CodeVerifier verifier) throws OidcException {
        Provider current = provider();
        AuthorizationCodeGrant grant =
                new AuthorizationCodeGrant(new AuthorizationCode(code), redirectUri.get(), verifier);
        return identityFrom(
                current, send(tokenRequest(current, grant)), expectedNonce, "the identity provider refused the code");
    }

    /**
     * Refreshes at the identity provider, so a person disabled there, or moved between groups, is
     * seen at the gateway's next refresh.
     */
    public Identity refresh(String idpRefreshToken) throws OidcException {
        Provider current = provider();
        RefreshTokenGrant grant = new RefreshTokenGrant(new RefreshToken(idpRefreshToken));
        return identityFrom(
                current, send(tokenRequest(current, grant)), null, "the identity provider ended this session");
    }

    /** A confidential client authenticates with client_secret_basic; a public one sends its client_id. */
    private TokenRequest tokenRequest(Provider current, AuthorizationGrant grant) {
        if (settings.clientSecret() == null)
            return new TokenRequest(current.metadata().getTokenEndpointURI(), new ClientID(settings.clientId()), grant);
        return new TokenRequest(current.metadata().getTokenEndpointURI(), clientAuthentication(), grant);
    }

    private ClientAuthentication clientAuthentication() {
        return new ClientSecretBasic(new ClientID(settings.clientId()), new Secret(settings.clientSecret()));
    }

    private TokenResponse send(TokenRequest request) throws OidcException {
        try {
            return OIDCTokenResponseParser.parse(request.toHTTPRequest().send());
        } catch (Exception e) {
            throw new OidcException("sign-in could not be completed with the identity provider: " + e.getMessage());
        }
    }

    private static String describe(ErrorObject error) {
        String code = error.getCode() == null ? "an error (HTTP " + error.getHTTPStatusCode() + ")" : error.getCode();
        return error.getDescription() == null || error.getDescription().isBlank()
                ? code
                : error.getDescription() + " (" + code + ")";
    }

    private Identity identityFrom(Provider current, TokenResponse response, Nonce expectedNonce, String refusedWording)
            throws OidcException {
        try {
            if (!response.indicatesSuccess())
                throw new OidcException(refusedWording + ": "
                        + describe(response.toErrorResponse().getErrorObject()));
            OIDCTokenResponse tokens = (OIDCTokenResponse) response.toSuccessResponse();
            JWT idToken = tokens.getOIDCTokens().getIDToken();
            if (idToken == null) throw new OidcException(refusedWording + ": no ID token came back");
            current.validator().validate(idToken, expectedNonce);
            JWTClaimsSet claims = idToken.getJWTClaimsSet();
            String email = stringClaim(claims.getClaims(), settings.emailClaim());
            String name = stringClaim(claims.getClaims(), "name");
            if (email == null && current.metadata().getUserInfoEndpointURI() != null) {
                UserInfoResponse info = UserInfoResponse.parse(new UserInfoRequest(
                                current.metadata().getUserInfoEndpointURI(),
                                tokens.getOIDCTokens().getBearerAccessToken())
                        .toHTTPRequest()
                        .send());
                if (info.indicatesSuccess()) {
                    Map<String, Object> userInfo =
                            info.toSuccessResponse().getUserInfo().toJSONObject();
                    email = stringClaim(userInfo, settings.emailClaim());
                    if (name == null) name = stringClaim(userInfo, "name");
                }
            }
            if (Boolean.FALSE.equals(claims.getClaim("email_verified")))
                throw new OidcException("the identity provider says this email is not verified");
            if (email == null)
                throw new OidcException("the identity provider gave no email (claim '" + settings.emailClaim()
                        + "'); set oidc.email_claim");
            String refreshToken = tokens.getOIDCTokens().getRefreshToken() == null
                    ? null
                    : tokens.getOIDCTokens().getRefreshToken().getValue();
            return new Identity(
                    claims.getSubject(),
                    email.toLowerCase(Locale.ROOT),
                    name,
                    groups(claims.getClaim(settings.groupsClaim())),
                    refreshToken,
                    idToken.serialize(),
                    claims.getClaims());
        } catch (OidcException e) {
            throw e;
        } catch (Exception e) {
            throw new OidcException("sign-in could not be completed with the identity provider: " + e.getMessage());
        }
    }

    /** Null when the identity may use the gateway; otherwise why not. */
    public String refusal(Identity identity) {
        if (!settings.allowedEmailDomains().isEmpty()) {
            String domain = identity.email().substring(identity.email().lastIndexOf('@') + 1);
            if (!settings.allowedEmailDomains().contains(domain))
                return "the email domain " + domain + " is not allowed here";
        }
        if (!settings.allowedGroups().isEmpty()
                && identity.groups().stream().noneMatch(settings.allowedGroups()::contains)) {
            return "you are not in any of the groups allowed here";
        }
        return null;
    }

    private static String stringClaim(Map<String, Object> claims, String name) {
        Object value = claims.get(name);
        return value instanceof String text && !text.isBlank() ? text : null;
    }

    private static List<String> groups(Object claim) {
        List<String> groups = new ArrayList<>();
        if (claim instanceof List<?> list) {
            for (Object item : list) if (item != null) groups.add(item.toString());
        } else if (claim instanceof String text) {
            for (String part : text.split("[,\\s]+")) if (!part.isBlank()) groups.add(part);
        }
        return groups;
    }

    /** Why sign-in failed, in words for the person at the browser. */
    public static final class OidcException extends Exception {
        public OidcException(String message) {
            super(message);
        }
    }
}
