package dev.bsg.gateway.settings;

import static java.time.temporal.ChronoUnit.DAYS;
import static java.time.temporal.ChronoUnit.MILLIS;
import static java.time.temporal.ChronoUnit.MINUTES;
import static java.time.temporal.ChronoUnit.SECONDS;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import dev.bsg.gateway.core.Secrets;
import dev.bsg.gateway.http.HttpServer;
import dev.bsg.gateway.http.TrustedProxies;
import dev.bsg.gateway.settings.ConfigBinding.Invalid;
import dev.bsg.gateway.settings.ConfigBinding.Range;
import dev.bsg.identity.OidcSettings;
import dev.bsg.protocol.models.CatalogEntry;
import dev.bsg.protocol.models.ModelCatalog;
import dev.bsg.protocol.pricing.PriceList;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.ParseException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The gateway's whole configuration, validated. {@link SettingsLoader} binds it from YAML and the environment with
 * Jackson (snake_case keys; {@code defaults.yaml} beside this class lists every key); each record checks its own
 * values and, where the file says it differently, has a {@link JsonCreator} that takes the file's shape.
 */
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
        Pricing pricing,
        Downloads downloads,
        Logging logging,
        Telemetry telemetry,
        Export export,
        Alerts alerts) {

    public Settings {
        oidc = checked(oidc);
        if (models.regionPrefix() == null)
            models = models.withRegionPrefix(
                    ModelCatalog.defaultPrefixFor(upstream.regions().get(0)));
    }

    /**
     * Where and how the gateway listens.
     *
     * @param drainDelay on SIGTERM, how long /readyz answers 503 (and every response closes its connection) while
     *     the gateway still serves, so load balancers move traffic away before the listener closes
     * @param idleTimeout how long a connection may sit idle between requests, or stall while sending one */
    public record Server(
            String host,
            @Range(min = 0, max = 65535) int port,
            String publicUrl,

            @JsonDeserialize(using = ConfigBinding.ByteSize.class)
            long maxBodyBytes,

            @JsonProperty("shutdown_grace_seconds") @Range(min = 0, max = 3600, unit = SECONDS)
            Duration shutdownGrace,

            @JsonProperty("drain_delay_seconds") @Range(min = 0, max = 300, unit = SECONDS)
            Duration drainDelay,

            @JsonProperty("ping_interval_ms") @Range(min = 100, max = 600_000, unit = MILLIS)
            Duration pingInterval,

            @JsonProperty("idle_timeout_seconds") @Range(min = 1, max = 3600, unit = SECONDS)
            Duration idleTimeout,

            List<String> trustedProxies,
            String managementHost,
            @Range(min = -1, max = 65535) int managementPort,
            @Nullable String managementToken,
            Tls tls) {
        /**
         * HTTPS on the public port, from PEM files the gateway watches: a renewed pair is put in force without a
         * restart. Both null: plain HTTP (TLS ends at a proxy).
         */
        public record Tls(
                @Nullable String certFile, @Nullable String keyFile) {
            public Tls {
                if ((certFile == null) != (keyFile == null))
                    throw new Invalid(
                            certFile == null ? "cert_file" : "key_file",
                            "null",
                            "set both cert_file (PEM chain) and key_file (PEM PKCS#8 key), or neither");
            }

            public boolean enabled() {
                return certFile != null;
            }
        }

        public Server {
            try {
                TrustedProxies.of(trustedProxies);
            } catch (IllegalArgumentException e) {
                throw new Invalid(
                        "trusted_proxies",
                        e.getMessage(),
                        "list the proxies' networks in CIDR form, such as 10.0.0.0/8 or 2001:db8::/32");
            }
            trustedProxies = List.copyOf(trustedProxies);
            if (managementToken != null && managementToken.length() < 16)
                throw new Invalid(
                        "management_token",
                        "(hidden)",
                        "use at least 16 characters; generate one with 'openssl rand -base64 32'");
        }

        public TrustedProxies proxies() {
            return TrustedProxies.of(trustedProxies);
        }

        /** Where /healthz, /readyz and /metrics are served apart from the public port; null when off (-1). */
        public HttpServer.@Nullable Endpoint management() {
            return managementPort < 0 ? null : new HttpServer.Endpoint(managementHost, managementPort);
        }
    }

    /** Where usage, keys and limits are kept: a JDBC URL, or a {@code postgres://user:pass@host:port/db} URL. */
    public record Database(
            String url,
            String user,
            String password,
            @Range(min = 1, max = 200) int poolSize) {
        public Database {
            url = JdbcUrls.of(url);
        }

        public boolean isPostgres() {
            return url.startsWith("jdbc:postgresql:");
        }
    }

    /**
     * Who administers: static admin keys (arrive in clear from config or env, kept only as hashes) and
     * signed-in users whose email or one of whose groups is listed.
     */
    public record Admin(List<String> apiKeyHashes, Set<String> emails, Set<String> groups) {
        @JsonCreator
        static Admin of(
                @JsonProperty("api_keys") List<String> apiKeys,
                @JsonProperty("emails") List<String> emails,
                @JsonProperty("groups") Set<String> groups) {
            List<String> hashes = new ArrayList<>();
            for (String key : apiKeys) {
                if (key.length() < 16)
                    throw new Invalid(
                            "api_keys",
                            "(hidden)",
                            "admin keys must be at least 16 characters; generate one with 'openssl rand -base64 32'");
                hashes.add(Secrets.sha256(key));
            }
            Set<String> lowered = new LinkedHashSet<>();
            for (String email : emails) lowered.add(email.toLowerCase(Locale.ROOT));
            return new Admin(List.copyOf(hashes), Set.copyOf(lowered), Set.copyOf(groups));
        }

        public boolean grants(String email, List<String> userGroups) {
            if (email != null && emails.contains(email.toLowerCase(Locale.ROOT))) return true;
            for (String group : userGroups) if (groups.contains(group)) return true;
            return false;
        }
    }

    public record ApiKeys(@Range(min = 1, max = 10_000) int maxPerUser) {}

    /** Gateway sessions: JWT secrets (first signs, all verify; empty = generated and kept in the database), lifetimes. */
    public record Session(List<String> jwtSecrets, ECKey jwtKey, Duration accessTtl, Duration refreshTtl) {
        @JsonCreator
        static Session of(
                @JsonProperty("jwt_secrets") List<String> secrets,
                @JsonProperty("jwt_key") String keyJson,
                @JsonProperty("ttl_minutes") @Range(min = 1, max = 24 * 60, unit = MINUTES) Duration accessTtl,
                @JsonProperty("refresh_ttl_days") @Range(min = 1, max = 365, unit = DAYS) Duration refreshTtl) {
            for (String secret : secrets) {
                if (secret.getBytes(StandardCharsets.UTF_8).length < 32)
                    throw new Invalid(
                            "jwt_secrets",
                            "(hidden)",
                            "each secret needs at least 32 bytes; generate one with 'openssl rand -base64 48'");
            }
            // The JWK itself is a secret, so it usually comes through the _file indirection: session.jwt_key_file.
            ECKey key = null;
            if (keyJson != null) {
                try {
                    key = ECKey.parse(keyJson);
                } catch (ParseException e) {
                    key = null;
                }
                if (key == null || !key.isPrivate() || !Curve.P_256.equals(key.getCurve()))
                    throw new Invalid(
                            "jwt_key",
                            "(hidden)",
                            "it must be a private EC P-256 JWK; create one with 'bsg keygen --out FILE' and set"
                                    + " session.jwt_key_file");
            }
            return new Session(List.copyOf(secrets), key, accessTtl, refreshTtl);
        }
    }

    /** {@link OidcSettings} is shared with the CLI, so it is bound as it is and checked here. */
    private static OidcSettings checked(OidcSettings oidc) {
        String issuer = oidc.issuer();
        if (issuer != null && !(issuer.startsWith("https://") || issuer.startsWith("http://")))
            throw new Invalid(
                    "oidc.issuer",
                    issuer,
                    "use the identity provider's issuer URL, e.g. https://login.example.com/realms/company");
        if (issuer != null && oidc.clientId() == null)
            throw new Invalid("oidc.client_id", null, "set the client ID the identity provider gave this gateway");
        Set<String> domains = new LinkedHashSet<>();
        for (String domain : oidc.allowedEmailDomains())
            domains.add(domain.toLowerCase(Locale.ROOT).replaceFirst("^@", ""));
        return new OidcSettings(
                issuer == null ? null : issuer.replaceAll("/+$", ""),
                oidc.clientId(),
                oidc.clientSecret(),
                List.copyOf(oidc.scopes()),
                oidc.emailClaim(),
                oidc.groupsClaim(),
                Set.copyOf(domains),
                Set.copyOf(oidc.allowedGroups()));
    }

    private static final Pattern REGION = Pattern.compile("^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-[0-9]$");

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
        @JsonCreator
        static Upstream of(
                @JsonProperty("regions") List<String> regions,
                @JsonProperty("endpoint") String endpoint,
                @JsonProperty("credentials") String credentials,
                @JsonProperty("profile") String profile,
                @JsonProperty("access_key_id") String accessKeyId,
                @JsonProperty("secret_access_key") String secretAccessKey,
                @JsonProperty("session_token") String sessionToken,
                @JsonProperty("bearer_token") String bearerToken,
                @JsonProperty("connect_timeout_ms") @Range(min = 100, max = 120_000, unit = MILLIS)
                        Duration connectTimeout,
                @JsonProperty("read_timeout_ms") @Range(min = 1_000, max = 3_600_000, unit = MILLIS)
                        Duration readTimeout,
                @JsonProperty("retries") @Range(min = 0, max = 10) int retries,
                @JsonProperty("retry_base_delay_ms") @Range(min = 0, max = 60_000, unit = MILLIS)
                        Duration retryBaseDelay,
                @JsonProperty("ca_bundle") String caBundle,
                @JsonProperty("http_version") String httpVersion) {
            for (String region : regions) {
                if (!REGION.matcher(region).matches())
                    throw new Invalid("regions", region, "use AWS region names such as us-east-1 or eu-west-1");
            }
            CredentialSource source = credentialSource(credentials, bearerToken);
            if (source == CredentialSource.STATIC && (accessKeyId == null || secretAccessKey == null))
                throw new Invalid(
                        "credentials",
                        "static",
                        "set upstream.access_key_id and upstream.secret_access_key (or their _file forms)");
            if (source == CredentialSource.BEARER && bearerToken == null)
                throw new Invalid(
                        "credentials",
                        "bearer",
                        "set upstream.bearer_token (or upstream.bearer_token_file) to a Bedrock API key");
            if (source == CredentialSource.PROFILE && profile == null)
                throw new Invalid("credentials", "profile", "set upstream.profile to the AWS profile name");
            return new Upstream(
                    List.copyOf(regions),
                    endpoint(endpoint),
                    source,
                    profile,
                    accessKeyId,
                    secretAccessKey,
                    sessionToken,
                    bearerToken,
                    connectTimeout,
                    readTimeout,
                    retries,
                    retryBaseDelay,
                    caBundle(caBundle),
                    switch (httpVersion) {
                        case "2" -> true;
                        case "1.1" -> false;
                        default -> throw new Invalid("http_version", httpVersion, "use 2 (the default) or 1.1");
                    });
        }

        private static CredentialSource credentialSource(String text, String bearerToken) {
            if (text == null) return bearerToken != null ? CredentialSource.BEARER : CredentialSource.DEFAULT;
            try {
                return CredentialSource.valueOf(text.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new Invalid("credentials", text, "use one of default, profile, static, bearer");
            }
        }

        private static URI endpoint(String text) {
            if (text == null) return null;
            URI endpoint;
            try {
                endpoint = new URI(text.replaceAll("/+$", ""));
            } catch (URISyntaxException e) {
                endpoint = null;
            }
            if (endpoint == null
                    || endpoint.getHost() == null
                    || !(text.startsWith("http://") || text.startsWith("https://")))
                throw new Invalid(
                        "endpoint", text, "use a full URL such as https://bedrock-runtime.us-east-1.amazonaws.com");
            return endpoint;
        }

        /** Like AWS tools: a PEM bundle replaces the JDK's CAs for the upstream. */
        private static Path caBundle(String text) {
            if (text == null) return null;
            Path bundle = Path.of(text);
            if (!Files.isReadable(bundle))
                throw new Invalid(
                        "ca_bundle",
                        text,
                        "point it (or AWS_CA_BUNDLE) at a readable PEM file of the CA certificates to trust");
            return bundle;
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
            Set<String> allowedAccounts) {
        /** A model beyond the built-in catalog, as configured. */
        record Entry(String id, String bedrockId, String displayName, Set<String> prefixes, List<String> aliases) {
            Entry {
                if (id == null || bedrockId == null) throw new Invalid("", null, "each entry needs id and bedrock_id");
            }

            CatalogEntry catalogEntry() {
                return new CatalogEntry(
                        id,
                        bedrockId,
                        displayName == null ? id : displayName,
                        prefixes == null ? new LinkedHashSet<>() : new LinkedHashSet<>(prefixes),
                        aliases == null ? List.of() : aliases);
            }
        }

        /** The models section as written: region_prefix null takes the first region's, "none" means no prefix. */
        @JsonCreator
        static Models of(
                @JsonProperty("region_prefix") String regionPrefix,
                @JsonProperty("aliases") Map<String, String> aliases,
                @JsonProperty("catalog") List<Entry> catalog,
                @JsonProperty("drop_betas") Set<String> dropBetas,
                @JsonProperty("drop_fields") Set<String> dropFields,
                @JsonProperty("allow_other_providers") boolean allowOtherProviders,
                @JsonProperty("allowed_accounts") Set<String> allowedAccounts) {
            String prefix = "none".equals(regionPrefix) ? "" : regionPrefix;
            if (prefix != null && !prefix.isEmpty() && !ModelCatalog.KNOWN_PREFIXES.contains(prefix))
                throw new Invalid(
                        "region_prefix",
                        prefix,
                        "use one of " + String.join(", ", new TreeSet<>(ModelCatalog.KNOWN_PREFIXES)) + " or none");
            for (String account : allowedAccounts) {
                if (!account.matches("^[0-9]{12}$"))
                    throw new Invalid("allowed_accounts", account, "use 12-digit AWS account ids");
            }
            return new Models(
                    prefix,
                    aliases,
                    catalog.stream().map(Entry::catalogEntry).toList(),
                    dropBetas,
                    dropFields,
                    allowOtherProviders,
                    allowedAccounts);
        }

        Models withRegionPrefix(String prefix) {
            return new Models(
                    prefix, aliases, extraEntries, dropBetas, dropFields, allowOtherProviders, allowedAccounts);
        }
    }

    /** A rate: requests and tokens per minute; 0 means unlimited. */
    public record Rate(
            @Range(min = 0, max = 100_000_000) int requestsPerMinute,
            @Range(min = 0, max = Integer.MAX_VALUE) long tokensPerMinute) {
        public static final Rate NONE = new Rate(0, 0);
    }

    /** Rate limits per API key, per user and per group (a group's members share its rate); concurrent requests per user. */
    public record Limits(Rate key, Rate user, Map<String, Rate> groups, int userConcurrency) {
        /** The user section also caps requests in flight. */
        record User(
                @Range(min = 0, max = 100_000_000) int requestsPerMinute,
                @Range(min = 0, max = Integer.MAX_VALUE) long tokensPerMinute,
                @Range(min = 0, max = 100_000) int concurrentRequests) {}

        @JsonCreator
        static Limits of(
                @JsonProperty("key") Rate key,
                @JsonProperty("user") User user,
                @JsonProperty("groups") Map<String, Rate> groups) {
            return new Limits(
                    key == null ? Rate.NONE : key,
                    user == null ? Rate.NONE : new Rate(user.requestsPerMinute(), user.tokensPerMinute()),
                    groups == null ? Map.of() : Map.copyOf(groups),
                    user == null ? 0 : user.concurrentRequests());
        }
    }

    /**
     * How spend limits apply: {@code groupLimitModeMin} takes the most restrictive of a user's group caps (else the
     * most generous); {@code failClosed} refuses requests when spend can't be checked.
     */
    public record Budgets(boolean groupLimitModeMin, boolean failClosed) {
        @JsonCreator
        static Budgets of(
                @JsonProperty("group_limit_mode") String mode, @JsonProperty("fail_closed") boolean failClosed) {
            if (!mode.equals("min") && !mode.equals("max"))
                throw new Invalid("group_limit_mode", mode, "use min (most restrictive group cap) or max");
            return new Budgets(mode.equals("min"), failClosed);
        }
    }

    /** Usage records ({@code enabled} false only to measure what metering costs): the in-memory queue, the local journal for database outages, and how long raw records are kept. */
    public record Metering(
            boolean enabled,
            @Range(min = 100, max = 10_000_000) int queueCapacity,
            Path journalDir,
            @Range(min = 1, max = 36_500) int retentionDays) {}

    /**
     * Usage records exported as Parquet every {@code intervalMinutes} to {@code to}: {@code s3://bucket/prefix} or a
     * folder; null exports nothing. {@code s3PathStyle} for S3-compatible servers that want path-style addressing.
     */
    public record Export(
            String to,
            @Range(min = 1, max = 10_080) int intervalMinutes,
            @Range(min = 100, max = 1_000_000) int batchRecords,
            boolean s3PathStyle) {
        public Export {
            if (to != null && to.startsWith("s3://") && !to.matches("^s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](/.*)?$"))
                throw new Invalid("to", to, "give s3://BUCKET/PREFIX with the bucket's name, or a folder");
            if (to != null && to.isBlank()) throw new Invalid("to", to, "give s3://BUCKET/PREFIX or a folder");
        }

        public boolean enabled() {
            return to != null;
        }
    }

    /**
     * Budget alerts: when a person's spend crosses each of {@code thresholds} (percent of their limit) in a period,
     * once per period, every webhook and (with SMTP) the person and the admins by e-mail are told. A delivery that
     * fails is tried up to {@code maxAttempts} times, {@code retryDelaySeconds} apart and doubling.
     */
    public record Alerts(
            List<Integer> thresholds,
            boolean notifyUser,
            boolean notifyAdmins,
            List<Webhook> webhooks,
            Smtp smtp,
            @Range(min = 1, max = 100) int maxAttempts,
            @Range(min = 0, max = 86_400) int retryDelaySeconds) {
        public Alerts {
            for (int threshold : thresholds) {
                if (threshold < 1 || threshold > 1000)
                    throw new Invalid("thresholds", String.valueOf(threshold), "give percentages from 1 to 1000");
            }
            thresholds = thresholds.stream().distinct().sorted().toList();
            webhooks = List.copyOf(webhooks);
        }

        /** Whether anyone can be told (thresholds may also come from a limit of its own). */
        public boolean any() {
            return !webhooks.isEmpty() || smtp.enabled();
        }

        /** A webhook: {@code format} slack (a Slack-compatible text message) or json (signed with {@code secret}). */
        public record Webhook(
                String url, String format, @Nullable String secret) {
            public Webhook {
                requireHttps(url, "give the webhook's https:// URL (http only on the loopback)");
                format = format == null ? "json" : format;
                if (!format.equals("slack") && !format.equals("json"))
                    throw new Invalid("format", format, "use slack or json");
                if (format.equals("json") && (secret == null || secret.length() < 16))
                    throw new Invalid(
                            "secret",
                            "(hidden)",
                            "a json webhook signs with HMAC-SHA256: give a secret of 16 characters or more");
            }
        }

        /** The SMTP server e-mail alerts go through; none when {@code host} is null. */
        public record Smtp(
                String host,
                @Range(min = 1, max = 65_535) int port,
                @Nullable String username,
                @Nullable String password,
                String from,
                boolean starttls) {
            public Smtp {
                if (host != null && (from == null || !from.contains("@")))
                    throw new Invalid("from", String.valueOf(from), "give the address alerts are sent from");
            }

            public boolean enabled() {
                return host != null;
            }
        }
    }

    /** A URL telemetry or alerts leave by: https, or http to this machine only. */
    static void requireHttps(String url, String hint) {
        URI parsed;
        try {
            parsed = url == null ? null : new URI(url);
        } catch (URISyntaxException e) {
            parsed = null;
        }
        boolean loopback = parsed != null
                && "http".equals(parsed.getScheme())
                && Set.of("127.0.0.1", "localhost", "[::1]").contains(parsed.getHost());
        if (parsed == null || parsed.getHost() == null || !("https".equals(parsed.getScheme()) || loopback))
            throw new Invalid("url", String.valueOf(url), hint);
    }

    /** Shared state across instances: Redis when {@code redisUrl} is set, in-process otherwise. */
    public record Cache(String redisUrl) {
        public Cache {
            if (redisUrl != null && !redisUrl.matches("^rediss?://.+"))
                throw new Invalid(
                        "redis_url",
                        redisUrl,
                        "use redis://HOST:PORT (or rediss:// for TLS), e.g. redis://127.0.0.1:6379");
        }
    }

    /**
     * Claude Code's OpenTelemetry, relayed: each export stamped with the authenticated identity and queued (up to
     * {@code queueCapacity} exports and {@code queueBytes} per destination) for every destination that takes its
     * signal. The gateway's own usage
     * goes to the metrics destinations too, every {@code usageMetricsSeconds} (0: not).
     */
    public record Telemetry(
            @JsonProperty("forward_to") List<ForwardTo> forwardTo,
            @Range(min = 1, max = 1_000_000) int queueCapacity,

            @JsonDeserialize(using = ConfigBinding.ByteSize.class)
            long queueBytes,

            @Range(min = 0, max = 86_400) int usageMetricsSeconds) {
        public Telemetry {
            forwardTo = List.copyOf(forwardTo);
        }

        /** An OTLP/HTTP collector: base URL (https, or http on the loopback), headers, signals (default metrics). */
        public record ForwardTo(
                String url,
                @Nullable Map<String, String> headers,
                @Nullable List<String> signals) {
            private static final Set<String> KNOWN = Set.of("metrics", "logs", "traces");

            public ForwardTo {
                requireHttps(url, "give the collector's OTLP/HTTP base URL with https:// (http only on the loopback)");
                headers = headers == null ? Map.of() : Map.copyOf(headers);
                signals = signals == null || signals.isEmpty() ? List.of("metrics") : List.copyOf(signals);
                for (String signal : signals) {
                    if (!KNOWN.contains(signal))
                        throw new Invalid("signals", signal, "list any of metrics, logs and traces");
                }
            }

            public boolean takes(String signal) {
                return signals.contains(signal);
            }
        }
    }

    /** How the server logs: {@code json} lines (with the access log's fields) or {@code text}; one line per request. */
    public record Logging(String format, boolean accessLog) {
        public Logging {
            if (!format.equals("json") && !format.equals("text"))
                throw new Invalid("format", format, "use json (one JSON object per line) or text");
        }
    }

    /** A folder of end-user bundles ({@code bsg package}, one per system) offered to signed-in people; null: none. */
    public record Downloads(Path dir) {
        public Downloads {
            if (dir != null && !Files.isDirectory(dir))
                throw new Invalid("dir", dir.toString(), "point it at a folder holding the bundles bsg package built");
        }
    }

    /** A price CSV to use at start instead of the shipped one (an admin import later replaces either). */
    public record Pricing(Path csvFile) {
        public Pricing {
            if (csvFile != null) {
                try {
                    PriceList.parse(Files.readString(csvFile));
                } catch (IOException e) {
                    throw new Invalid(
                            "csv_file",
                            csvFile.toString(),
                            "the file can't be read; point it at a price CSV (bsg admin prices show --csv prints the"
                                    + " current one)");
                } catch (IllegalArgumentException e) {
                    throw new Invalid("csv_file", csvFile.toString(), e.getMessage());
                }
            }
        }
    }
}
