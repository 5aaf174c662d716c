package dev.bsg.gateway.core;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Who is calling: a user through an API key or a session, or an administrator's static key (no user, no key).
 */
public record Principal(
        @Nullable String userId, String email, @Nullable String keyId, List<String> groups, boolean admin) {
    public static Principal staticAdmin() {
        return new Principal(null, "admin", null, List.of(), true);
    }
}
