package dev.bsg.gateway.auth;

/** Who is calling: a user through one of their API keys, or an administrator's static key. */
public record Principal(String userId, String email, String keyId, boolean admin) {
    public static Principal staticAdmin() {
        return new Principal(null, "admin", null, true);
    }
}
