package dev.bsg.identity;

import java.util.List;
import java.util.Set;

/**
 * The company identity provider as a client sees it; {@code issuer} null means sign-in is not configured.
 * {@code allowedEmailDomains} and {@code allowedGroups} (empty: everyone) decide who may sign in at all.
 */
public record OidcSettings(
        String issuer,
        String clientId,
        String clientSecret,
        List<String> scopes,
        String emailClaim,
        String groupsClaim,
        Set<String> allowedEmailDomains,
        Set<String> allowedGroups) {
    public boolean enabled() {
        return issuer != null;
    }
}
