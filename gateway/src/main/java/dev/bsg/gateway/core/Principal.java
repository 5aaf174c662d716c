package dev.bsg.gateway.core;

import java.util.List;

/** Who is calling: a user through an API key or a session, or an administrator's static key. */
public record Principal(String userId, String email, String keyId, List<String> groups, boolean admin) {
    public static Principal staticAdmin() {
        return new Principal(null, "admin", null, List.of(), true);
    }
}
