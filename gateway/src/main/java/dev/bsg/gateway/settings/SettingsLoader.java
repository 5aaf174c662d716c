package dev.bsg.gateway.settings;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import dev.bsg.gateway.core.Secrets;
import dev.bsg.identity.OidcSettings;
import dev.bsg.protocol.models.CatalogEntry;
import dev.bsg.protocol.models.ModelCatalog;
import dev.bsg.protocol.pricing.PriceList;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.text.ParseException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/** Reads {@link Settings} from a YAML file (optional) and the environment, and validates them. */
public final class SettingsLoader {
    private static final Pattern REGION = Pattern.compile("^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-[0-9]$");

    private SettingsLoader() {}

    public static Settings load(Path file, Map<String, String> env) {
        JsonNode yaml = null;
        if (file != null) {
            try {
                yaml = new ObjectMapper(new YAMLFactory()).readTree(Files.readString(file));
            } catch (NoSuchFileException e) {
                throw new SettingsException("config file " + file
                        + " does not exist: create it (bsg init writes one) or leave --config out for the defaults");
            } catch (IOException e) {
                throw new SettingsException("config file " + file + " is not valid YAML: "
                        + e.getMessage().lines().findFirst().orElse(""));
            }
        }
        return fromTree(ConfigTree.of(yaml, env), env);
    }

    static Settings fromTree(ConfigTree c, Map<String, String> env) {
        Settings.Server server = new Settings.Server(
                c.string("server.host", "127.0.0.1"),
                c.integer("server.port", 8080, 0, 65535),
                c.string("server.public_url", null),
                c.bytes("server.max_body_bytes", 32L * 1024 * 1024),
                Duration.ofSeconds(c.integer("server.shutdown_grace_seconds", 30, 0, 3600)),
                Duration.ofMillis(c.integer("server.ping_interval_ms", 10_000, 100, 600_000)),
                Duration.ofSeconds(c.integer("server.idle_timeout_seconds", 30, 1, 3600)));
        Settings.Database database = new Settings.Database(
                jdbcUrl(c.string("database.url", "jdbc:sqlite:./data/bsg.db")),
                c.string("database.user", null),
                c.string("database.password", null),
                c.integer("database.pool_size", 10, 1, 200));
        List<String> adminHashes = new ArrayList<>();
        for (String key : c.list("admin.api_keys")) {
            if (key.length() < 16)
                throw new SettingsException(
                        "admin.api_keys",
                        "(hidden)",
                        "admin keys must be at least 16 characters; generate one with 'openssl rand -base64 32'");
            adminHashes.add(Secrets.sha256(key));
        }
        Set<String> adminEmails = new LinkedHashSet<>();
        for (String email : c.list("admin.emails")) adminEmails.add(email.toLowerCase(Locale.ROOT));
        Settings settings = new Settings(
                server,
                database,
                new Settings.Admin(
                        List.copyOf(adminHashes), Set.copyOf(adminEmails), Set.copyOf(c.list("admin.groups"))),
                new Settings.ApiKeys(c.integer("api_keys.max_per_user", 20, 1, 10_000)),
                session(c),
                oidc(c),
                upstream(c, env),
                models(c, env),
                ManagedPolicies.from(c),
                limits(c),
                new Settings.Budgets(groupLimitModeMin(c), c.bool("budgets.fail_closed", false)),
                new Settings.Metering(
                        c.bool("metering.enabled", true),
                        c.integer("metering.queue_capacity", 10_000, 100, 10_000_000),
                        Path.of(c.string("metering.journal_dir", "./data/usage-journal")),
                        c.integer("metering.retention_days", 400, 1, 36_500)),
                new Settings.Cache(redisUrl(c)),
                pricing(c));
        List<String> unknown = c.unknownKeys();
        if (!unknown.isEmpty()) {
            throw new SettingsException("unknown config key " + String.join(", ", unknown)
                    + ": check the spelling against the documented keys in README.md");
        }
        return settings;
    }

    private static Settings.Limits limits(ConfigTree c) {
        Map<String, Settings.Rate> groups = new LinkedHashMap<>();
        JsonNode section = c.raw("limits.groups");
        if (section != null) {
            if (!section.isObject())
                throw new SettingsException(
                        "limits.groups",
                        section.toString(),
                        "expected group names, each with requests_per_minute and/or tokens_per_minute");
            for (Iterator<String> names = section.fieldNames(); names.hasNext(); ) {
                String group = names.next();
                groups.put(group, rate(c, "limits.groups." + group));
            }
        }
        return new Settings.Limits(
                rate(c, "limits.key"),
                rate(c, "limits.user"),
                Map.copyOf(groups),
                c.integer("limits.user.concurrent_requests", 0, 0, 100_000));
    }

    private static Settings.Rate rate(ConfigTree c, String prefix) {
        return new Settings.Rate(
                c.integer(prefix + ".requests_per_minute", 0, 0, 100_000_000),
                c.integer(prefix + ".tokens_per_minute", 0, 0, Integer.MAX_VALUE));
    }

    private static boolean groupLimitModeMin(ConfigTree c) {
        String mode = c.string("budgets.group_limit_mode", "min");
        if (!mode.equals("min") && !mode.equals("max"))
            throw new SettingsException(
                    "budgets.group_limit_mode", mode, "use min (most restrictive group cap) or max");
        return mode.equals("min");
    }

    private static String redisUrl(ConfigTree c) {
        String url = c.string("cache.redis_url", null);
        if (url != null && !url.matches("^rediss?://.+"))
            throw new SettingsException(
                    "cache.redis_url",
                    url,
                    "use redis://HOST:PORT (or rediss:// for TLS), e.g. redis://127.0.0.1:6379");
        return url;
    }

    private static Settings.Pricing pricing(ConfigTree c) {
        String file = c.string("pricing.csv_file", null);
        if (file == null) return new Settings.Pricing(null);
        Path path = Path.of(file);
        try {
            PriceList.parse(Files.readString(path));
        } catch (IOException e) {
            throw new SettingsException(
                    "pricing.csv_file",
                    file,
                    "the file can't be read; point it at a price CSV (bsg admin prices export prints the current one)");
        } catch (IllegalArgumentException e) {
            throw new SettingsException("pricing.csv_file", file, e.getMessage());
        }
        return new Settings.Pricing(path);
    }

    private static OidcSettings oidc(ConfigTree c) {
        String issuer = c.string("oidc.issuer", null);
        String clientId = c.string("oidc.client_id", null);
        if (issuer != null && !(issuer.startsWith("https://") || issuer.startsWith("http://"))) {
            throw new SettingsException(
                    "oidc.issuer",
                    issuer,
                    "use the identity provider's issuer URL, e.g. https://login.example.com/realms/company");
        }
        if (issuer != null && clientId == null)
            throw new SettingsException(
                    "oidc.client_id", null, "set the client ID the identity provider gave this gateway");
        List<String> scopes = c.list("oidc.scopes");
        Set<String> domains = new LinkedHashSet<>();
        for (String domain : c.list("oidc.allowed_email_domains"))
            domains.add(domain.toLowerCase(Locale.ROOT).replaceFirst("^@", ""));
        return new OidcSettings(
                issuer == null ? null : issuer.replaceAll("/+$", ""),
                clientId,
                c.string("oidc.client_secret", null),
                scopes.isEmpty() ? List.of("openid", "profile", "email", "offline_access") : scopes,
                c.string("oidc.email_claim", "email"),
                c.string("oidc.groups_claim", "groups"),
                Set.copyOf(domains),
                Set.copyOf(c.list("oidc.allowed_groups")));
    }

    private static Settings.Session session(ConfigTree c) {
        List<String> secrets = c.list("session.jwt_secrets");
        for (String secret : secrets) {
            if (secret.getBytes(StandardCharsets.UTF_8).length < 32) {
                throw new SettingsException(
                        "session.jwt_secrets",
                        "(hidden)",
                        "each secret needs at least 32 bytes; generate one with 'openssl rand -base64 48'");
            }
        }
        // The JWK itself is a secret, so it usually comes through the _file indirection: session.jwt_key_file.
        String keyJson = c.string("session.jwt_key", null);
        ECKey key = null;
        if (keyJson != null) {
            try {
                key = ECKey.parse(keyJson);
            } catch (ParseException e) {
                key = null;
            }
            if (key == null || !key.isPrivate() || !Curve.P_256.equals(key.getCurve())) {
                throw new SettingsException(
                        "session.jwt_key",
                        "(hidden)",
                        "it must be a private EC P-256 JWK; create one with 'bsg keygen --out FILE' and set session.jwt_key_file");
            }
        }
        return new Settings.Session(
                List.copyOf(secrets),
                key,
                Duration.ofMinutes(c.integer("session.ttl_minutes", 60, 1, 24 * 60)),
                Duration.ofDays(c.integer("session.refresh_ttl_days", 30, 1, 365)));
    }

    private static Settings.Upstream upstream(ConfigTree c, Map<String, String> env) {
        List<String> regions = c.list("upstream.regions");
        if (regions.isEmpty())
            regions = List.of(env.getOrDefault("AWS_REGION", env.getOrDefault("AWS_DEFAULT_REGION", "us-east-1")));
        for (String region : regions) {
            if (!REGION.matcher(region).matches())
                throw new SettingsException(
                        "upstream.regions", region, "use AWS region names such as us-east-1 or eu-west-1");
        }
        String endpointText = c.string(
                "upstream.endpoint", env.getOrDefault("AWS_ENDPOINT_URL_BEDROCK_RUNTIME", env.get("AWS_ENDPOINT_URL")));
        URI endpoint = null;
        if (endpointText != null) {
            try {
                endpoint = new URI(endpointText.replaceAll("/+$", ""));
            } catch (URISyntaxException e) {
                endpoint = null;
            }
            if (endpoint == null
                    || endpoint.getHost() == null
                    || !(endpointText.startsWith("http://") || endpointText.startsWith("https://"))) {
                throw new SettingsException(
                        "upstream.endpoint",
                        endpointText,
                        "use a full URL such as https://bedrock-runtime.us-east-1.amazonaws.com");
            }
        }
        String bearer = c.string("upstream.bearer_token", null);
        String sourceText = c.string("upstream.credentials", bearer != null ? "bearer" : "default");
        Settings.CredentialSource source;
        try {
            source = Settings.CredentialSource.valueOf(sourceText.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new SettingsException(
                    "upstream.credentials", sourceText, "use one of default, profile, static, bearer");
        }
        String accessKey = c.string("upstream.access_key_id", null);
        String secretKey = c.string("upstream.secret_access_key", null);
        if (source == Settings.CredentialSource.STATIC && (accessKey == null || secretKey == null)) {
            throw new SettingsException(
                    "upstream.credentials",
                    "static",
                    "set upstream.access_key_id and upstream.secret_access_key (or their _file forms)");
        }
        if (source == Settings.CredentialSource.BEARER && bearer == null) {
            throw new SettingsException(
                    "upstream.credentials",
                    "bearer",
                    "set upstream.bearer_token (or upstream.bearer_token_file) to a Bedrock API key");
        }
        String profile = c.string("upstream.profile", null);
        if (source == Settings.CredentialSource.PROFILE && profile == null) {
            throw new SettingsException(
                    "upstream.credentials", "profile", "set upstream.profile to the AWS profile name");
        }
        return new Settings.Upstream(
                List.copyOf(regions),
                endpoint,
                source,
                profile,
                accessKey,
                secretKey,
                c.string("upstream.session_token", null),
                bearer,
                Duration.ofMillis(c.integer("upstream.connect_timeout_ms", 5_000, 100, 120_000)),
                Duration.ofMillis(c.integer("upstream.read_timeout_ms", 600_000, 1_000, 3_600_000)),
                c.integer("upstream.retries", 2, 0, 10),
                Duration.ofMillis(c.integer("upstream.retry_base_delay_ms", 200, 0, 60_000)),
                caBundle(c, env),
                http2(c));
    }

    /** Like AWS tools: a PEM bundle replaces the JDK's CAs for the upstream; AWS_CA_BUNDLE is the default. */
    private static Path caBundle(ConfigTree c, Map<String, String> env) {
        String text = c.string("upstream.ca_bundle", env.get("AWS_CA_BUNDLE"));
        if (text == null || text.isBlank()) return null;
        Path bundle = Path.of(text);
        if (!Files.isReadable(bundle)) {
            throw new SettingsException(
                    "upstream.ca_bundle",
                    text,
                    "point it (or AWS_CA_BUNDLE) at a readable PEM file of the CA certificates to trust");
        }
        return bundle;
    }

    private static boolean http2(ConfigTree c) {
        String version = c.string("upstream.http_version", "2");
        return switch (version) {
            case "2" -> true;
            case "1.1" -> false;
            default -> throw new SettingsException("upstream.http_version", version, "use 2 (the default) or 1.1");
        };
    }

    private static Settings.Models models(ConfigTree c, Map<String, String> env) {
        String region =
                c.list("upstream.regions").stream().findFirst().orElse(env.getOrDefault("AWS_REGION", "us-east-1"));
        String prefix = c.string("models.region_prefix", ModelCatalog.defaultPrefixFor(region));
        if (prefix.equals("none")) prefix = "";
        if (!prefix.isEmpty() && !ModelCatalog.KNOWN_PREFIXES.contains(prefix)) {
            throw new SettingsException(
                    "models.region_prefix",
                    prefix,
                    "use one of " + String.join(", ", new TreeSet<>(ModelCatalog.KNOWN_PREFIXES)) + " or none");
        }
        List<CatalogEntry> extra = new ArrayList<>();
        for (ConfigTree entry : c.sections("models.catalog")) {
            String id = entry.string("id", null);
            String bedrockId = entry.string("bedrock_id", null);
            if (id == null || bedrockId == null)
                throw new SettingsException("models.catalog", null, "each entry needs id and bedrock_id");
            extra.add(new CatalogEntry(
                    id,
                    bedrockId,
                    entry.string("display_name", id),
                    new LinkedHashSet<>(entry.list("prefixes")),
                    entry.list("aliases")));
        }
        Set<String> accounts = new LinkedHashSet<>(c.list("models.allowed_accounts"));
        for (String account : accounts) {
            if (!account.matches("^[0-9]{12}$"))
                throw new SettingsException("models.allowed_accounts", account, "use 12-digit AWS account ids");
        }
        return new Settings.Models(
                prefix,
                c.map("models.aliases"),
                extra,
                new LinkedHashSet<>(c.list("models.drop_betas")),
                new LinkedHashSet<>(c.list("models.drop_fields")),
                c.bool("models.allow_other_providers", false),
                accounts);
    }

    /** Accepts a JDBC URL or a {@code postgres://user:pass@host:port/db} URL. */
    static String jdbcUrl(String url) {
        if (url.startsWith("jdbc:sqlite:") || url.startsWith("jdbc:postgresql:")) return url;
        if (url.startsWith("postgres://") || url.startsWith("postgresql://")) {
            URI uri = URI.create(url);
            StringBuilder jdbc = new StringBuilder("jdbc:postgresql://").append(uri.getHost());
            if (uri.getPort() > 0) jdbc.append(':').append(uri.getPort());
            jdbc.append(uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/postgres" : uri.getRawPath());
            List<String> params = new ArrayList<>();
            if (uri.getRawUserInfo() != null) {
                String[] userInfo = uri.getRawUserInfo().split(":", 2);
                params.add("user=" + userInfo[0]);
                if (userInfo.length > 1) params.add("password=" + userInfo[1]);
            }
            if (uri.getRawQuery() != null) params.add(uri.getRawQuery());
            if (!params.isEmpty()) jdbc.append('?').append(String.join("&", params));
            return jdbc.toString();
        }
        throw new SettingsException(
                "database.url", url, "use jdbc:sqlite:PATH, jdbc:postgresql://HOST/DB or postgres://USER@HOST/DB");
    }
}
