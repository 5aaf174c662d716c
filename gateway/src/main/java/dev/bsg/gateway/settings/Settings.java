package dev.bsg.gateway.settings;

import com.nimbusds.jose.jwk.ECKey;
import dev.bsg.identity.OidcSettings;
import dev.bsg.protocol.models.CatalogEntry;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** The gateway's whole configuration, validated. Built by {@link SettingsLoader}. */
public record Settings(
        Server server,
        Database database,
        Admin admin,
        ApiKeys apiKeys,
        Session session,
        OidcSettings oidc,
        Upstream upstream,
        Models models,
        ManagedPolicies policies,
        Limits limits,
        Budgets budgets,
        Metering metering,
        Cache cache,
        Pricing pricing) {

    /**
     * Where and how the gateway listens.
     *
     * @param idleTimeout how long a connection may sit idle between requests, or stall while sending one */
    public record Server(
            String host,
            int port,
            String publicUrl,
            long maxBodyBytes,
            Duration shutdownGrace,
            Duration pingInterval,
            Duration idleTimeout) {}

    public record Database(String url, String user, String password, int poolSize) {
        public boolean isPostgres() {
            return url.startsWith("jdbc:postgresql:");
        }
    }

    /**
     * Who administers: static admin keys (arrive in clear from config or env, kept only as hashes) and
     * signed-in users whose email or one of whose groups is listed.
     */
    public record Admin(List<String> apiKeyHashes, Set<String> emails, Set<String> groups) {
        public boolean grants(String email, List<String> userGroups) {
            if (email != null && emails.contains(email.toLowerCase(Locale.ROOT))) return true;
            for (String group : userGroups) if (groups.contains(group)) return true;
            return false;
        }
    }

    public record ApiKeys(int maxPerUser) {}

    /** Gateway sessions: JWT secrets (first signs, all verify; empty = generated and kept in the database), lifetimes. */
    public record Session(List<String> jwtSecrets, ECKey jwtKey, Duration accessTtl, Duration refreshTtl) {}

    public enum CredentialSource {
        DEFAULT,
        PROFILE,
        STATIC,
        BEARER
    }

    public record Upstream(
            List<String> regions,
            URI endpoint,
            CredentialSource credentialSource,
            String profile,
            String accessKeyId,
            String secretAccessKey,
            String sessionToken,
            String bearerToken,
            Duration connectTimeout,
            Duration readTimeout,
            int retries,
            Duration retryBaseDelay,
            Path caBundle,
            boolean http2) {
        /** HTTPS upstreams are trusted by the JDK's CAs and spoken to over HTTP/2. */
        public Upstream(
                List<String> regions,
                URI endpoint,
                CredentialSource credentialSource,
                String profile,
                String accessKeyId,
                String secretAccessKey,
                String sessionToken,
                String bearerToken,
                Duration connectTimeout,
                Duration readTimeout,
                int retries,
                Duration retryBaseDelay) {
            this(
                    regions,
                    endpoint,
                    credentialSource,
                    profile,
                    accessKeyId,
                    secretAccessKey,
                    sessionToken,
                    bearerToken,
                    connectTimeout,
                    readTimeout,
                    retries,
                    retryBaseDelay,
                    null,
                    true);
        }
    }

    /**
     * Which models may be called.
     *
     * @param allowOtherProviders whether models other than Claude may be called with the gateway's credentials
     * @param allowedAccounts AWS accounts whose ARNs (application inference profiles, provisioned models) may be called
     */
    public record Models(
            String regionPrefix,
            Map<String, String> aliases,
            List<CatalogEntry> extraEntries,
            Set<String> dropBetas,
            Set<String> dropFields,
            boolean allowOtherProviders,
            Set<String> allowedAccounts) {}

    /** A rate: requests and tokens per minute; 0 means unlimited. */
    public record Rate(int requestsPerMinute, long tokensPerMinute) {
        public static final Rate NONE = new Rate(0, 0);
    }

    /** Rate limits per API key, per user and per group (a group's members share its rate); concurrent requests per user. */
    public record Limits(Rate key, Rate user, Map<String, Rate> groups, int userConcurrency) {}

    /**
     * How spend limits apply: {@code groupLimitModeMin} takes the most restrictive of a user's group caps (else the
     * most generous); {@code failClosed} refuses requests when spend can't be checked.
     */
    public record Budgets(boolean groupLimitModeMin, boolean failClosed) {}

    /** Usage records ({@code enabled} false only to measure what metering costs): the in-memory queue, the local journal for database outages, and how long raw records are kept. */
    public record Metering(boolean enabled, int queueCapacity, Path journalDir, int retentionDays) {}

    /** Shared state across instances: Redis when {@code redisUrl} is set, in-process otherwise. */
    public record Cache(String redisUrl) {}

    /** A price CSV to use at start instead of the shipped one (an admin import later replaces either). */
    public record Pricing(Path csvFile) {}
}
