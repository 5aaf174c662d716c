package dev.bsg.gateway;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bsg.gateway.admin.AdminApi;
import dev.bsg.gateway.admin.PricesApi;
import dev.bsg.gateway.admin.ProductivityApi;
import dev.bsg.gateway.admin.SelfServiceApi;
import dev.bsg.gateway.admin.SpendLimitsApi;
import dev.bsg.gateway.admin.UsageExportApi;
import dev.bsg.gateway.auth.Authenticator;
import dev.bsg.gateway.auth.Guards;
import dev.bsg.gateway.auth.OAuthEndpoints;
import dev.bsg.gateway.auth.SecretBox;
import dev.bsg.gateway.auth.SessionService;
import dev.bsg.gateway.auth.SessionTokens;
import dev.bsg.gateway.http.Door;
import dev.bsg.gateway.http.HttpServer;
import dev.bsg.gateway.http.Interceptor;
import dev.bsg.gateway.http.Router;
import dev.bsg.gateway.http.TlsCertificates;
import dev.bsg.gateway.limits.AlertDelivery;
import dev.bsg.gateway.limits.BudgetAlerts;
import dev.bsg.gateway.limits.Budgets;
import dev.bsg.gateway.limits.RequestLimits;
import dev.bsg.gateway.limits.UsageStandingEndpoint;
import dev.bsg.gateway.metering.ExportTarget;
import dev.bsg.gateway.metering.Metering;
import dev.bsg.gateway.metering.Pricing;
import dev.bsg.gateway.metering.UsageExport;
import dev.bsg.gateway.metering.UsageReports;
import dev.bsg.gateway.metering.UsageTags;
import dev.bsg.gateway.metering.UsageWriter;
import dev.bsg.gateway.settings.ManagedPolicies;
import dev.bsg.gateway.settings.ManagedSettingsEndpoint;
import dev.bsg.gateway.settings.Settings;
import dev.bsg.gateway.store.AlertStore;
import dev.bsg.gateway.store.ApiKeyStore;
import dev.bsg.gateway.store.AuditLog;
import dev.bsg.gateway.store.Database;
import dev.bsg.gateway.store.DeviceGrantStore;
import dev.bsg.gateway.store.GatewaySecrets;
import dev.bsg.gateway.store.Leases;
import dev.bsg.gateway.store.PendingSignIns;
import dev.bsg.gateway.store.ProductivityStore;
import dev.bsg.gateway.store.RedisState;
import dev.bsg.gateway.store.RefreshTokenStore;
import dev.bsg.gateway.store.RevokedTokens;
import dev.bsg.gateway.store.SharedState;
import dev.bsg.gateway.store.SpendLimitStore;
import dev.bsg.gateway.store.Sql;
import dev.bsg.gateway.store.UserStore;
import dev.bsg.gateway.telemetry.BackgroundTasks;
import dev.bsg.gateway.telemetry.GatewayMetrics;
import dev.bsg.gateway.telemetry.Operations;
import dev.bsg.gateway.telemetry.OtlpForwarder;
import dev.bsg.gateway.telemetry.OtlpRelay;
import dev.bsg.gateway.telemetry.OtlpSignal;
import dev.bsg.gateway.telemetry.ProductivityDigest;
import dev.bsg.gateway.telemetry.UsageOtlp;
import dev.bsg.gateway.upstream.AnthropicRelay;
import dev.bsg.gateway.upstream.BedrockRelay;
import dev.bsg.gateway.upstream.BedrockUpstream;
import dev.bsg.gateway.upstream.Compatibility;
import dev.bsg.gateway.upstream.ModelEndpoints;
import dev.bsg.gateway.upstream.ModelGuard;
import dev.bsg.gateway.upstream.ModelPolicy;
import dev.bsg.gateway.upstream.StreamWatchdog;
import dev.bsg.gateway.upstream.UpstreamSigner;
import dev.bsg.gateway.web.AdminPages;
import dev.bsg.gateway.web.Console;
import dev.bsg.gateway.web.SelfPages;
import dev.bsg.gateway.web.WebSignIn;
import dev.bsg.identity.OidcClient;
import dev.bsg.protocol.models.ModelCatalog;
import dev.bsg.protocol.pricing.PriceList;
import dev.bsg.protocol.translate.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The whole gateway, wired by hand: every component and every route is made here. */
public final class Gateway implements AutoCloseable {
    private final Settings settings;
    private final Database database;
    private final UserStore users;
    private final ApiKeyStore keys;
    private final SessionService sessions;
    private final UsageWriter usageWriter;
    private final RevokedTokens revokedTokens;
    private final StreamWatchdog watchdog;
    private final UpstreamSigner signer;
    private final BedrockUpstream upstream;
    private final HttpServer server;
    private volatile boolean stopping;
    private final OtlpForwarder otlp;
    private final SharedState shared;
    private final BackgroundTasks background;
    private final UsageExport export;
    private final ProductivityDigest digest;
    private static final Logger LOG = LoggerFactory.getLogger(Gateway.class);
    /** This process among the gateway's instances, for leases. */
    private static final String INSTANCE = UUID.randomUUID().toString();

    public Gateway(Settings settings) {
        this(settings, Clock.systemUTC());
    }

    /** {@code clock}: the time request limits and spend periods are judged by (tests hold it still). */
    public Gateway(Settings settings, Clock clock) {
        this.settings = settings;
        this.database = new Database(settings.database());
        Sql sql = new Sql(database);
        this.users = new UserStore(sql);
        this.keys = new ApiKeyStore(sql);
        AuditLog audit = new AuditLog(sql);
        GatewayMetrics metrics = new GatewayMetrics();
        this.background = new BackgroundTasks(metrics);
        List<String> jwtSecrets = settings.session().jwtSecrets().isEmpty()
                ? List.of(new GatewaySecrets(sql).getOrCreate("session-jwt"))
                : settings.session().jwtSecrets();
        String issuer = settings.server().publicUrl() == null
                ? "urn:bsg:gateway"
                : settings.server().publicUrl();
        SessionTokens sessionTokens = settings.session().jwtKey() != null
                ? SessionTokens.ec(
                        settings.session().jwtKey(), issuer, settings.session().accessTtl(), Clock.systemUTC())
                : new SessionTokens(jwtSecrets, issuer, settings.session().accessTtl(), Clock.systemUTC());
        OidcClient oidc = new OidcClient(settings.oidc(), () -> URI.create(publicUrl() + "/oauth/callback"));
        SecretBox box = new SecretBox(new GatewaySecrets(sql).getOrCreate("idp-token-key"));
        this.revokedTokens = new RevokedTokens(sql);
        background.every("revoked-tokens-reload", Duration.ofSeconds(3), Duration.ofSeconds(3), revokedTokens::reload);
        this.sessions = new SessionService(
                sessionTokens,
                new RefreshTokenStore(sql, settings.session().refreshTtl(), Clock.systemUTC())
                        .revokingAccessTokens(revokedTokens, settings.session().accessTtl()),
                users,
                audit,
                oidc,
                box,
                revokedTokens);
        this.shared = settings.cache().redisUrl() != null
                ? new RedisState(settings.cache().redisUrl())
                : SharedState.inProcess();
        DeviceGrantStore devices = new DeviceGrantStore(sql, Clock.systemUTC());
        OAuthEndpoints oauth = new OAuthEndpoints(
                sessions, devices, users, settings.oidc().enabled(), this::publicUrl, shared.counters());
        WebSignIn web = new WebSignIn(
                settings.oidc(),
                oidc,
                sessions,
                sessionTokens,
                users,
                audit,
                devices,
                new PendingSignIns(sql),
                () -> URI.create(publicUrl()),
                shared.counters());
        Authenticator authenticator = new Authenticator(keys, sessionTokens, revokedTokens, settings.admin(), shared);
        ModelCatalog catalog = new ModelCatalog(
                settings.models().extraEntries(),
                settings.models().aliases(),
                settings.models().regionPrefix());
        metrics.knownModels(catalog::knows);
        this.signer = UpstreamSigner.from(settings.upstream());
        this.upstream = new BedrockUpstream(settings.upstream(), signer, metrics);
        this.watchdog = new StreamWatchdog(
                settings.server().pingInterval(), settings.upstream().readTimeout());
        Compatibility compatibility = new Compatibility(
                settings.models().dropBetas(), settings.models().dropFields());
        ModelPolicy modelPolicy = new ModelPolicy(settings.policies(), catalog);
        ModelGuard guard = new ModelGuard(
                settings.upstream().regions(),
                settings.models().allowOtherProviders(),
                settings.models().allowedAccounts());
        AnthropicRelay anthropic = new AnthropicRelay(catalog, upstream, compatibility, watchdog, modelPolicy, guard);
        BedrockRelay bedrock = new BedrockRelay(catalog, upstream, watchdog, modelPolicy, guard);
        ModelEndpoints models =
                new ModelEndpoints(catalog, settings.upstream().regions().get(0), modelPolicy);
        ManagedSettingsEndpoint managedSettings = new ManagedSettingsEndpoint(managedPolicies(settings));
        Operations operations = new Operations(
                metrics,
                List.of(
                        new Operations.Check(
                                "database", () -> database.isHealthy() ? null : "the database does not answer"),
                        new Operations.Check("shared_state", shared::problem),
                        new Operations.Check("upstream_credentials", signer::problem),
                        new Operations.Check("accepting", () -> stopping ? "shutting down" : null)));
        AdminApi admin = new AdminApi(
                users, keys, audit, authenticator, settings.apiKeys().maxPerUser());
        SelfServiceApi self = admin.selfService();

        UsageTags tags = new UsageTags(sql);
        shared.onEvent(event -> {
            if (event.equals("tags")) tags.forget();
        });
        this.usageWriter = new UsageWriter(
                database,
                tags,
                settings.metering().journalDir(),
                settings.metering().queueCapacity(),
                metrics);
        Pricing pricing = new Pricing(
                sql,
                catalog,
                settings.pricing().csvFile() == null
                        ? null
                        : readPrices(settings.pricing().csvFile()));
        Metering metering = new Metering(usageWriter, pricing);
        UsageReports usage = new UsageReports(database, sql);
        // With Redis every instance hears at once that a person's usage was written; without it, spend is reread each
        // second.
        Budgets budgets = new Budgets(
                new SpendLimitStore(sql),
                sql,
                shared.counters(),
                settings.budgets(),
                settings.cache().redisUrl() != null ? Duration.ofMinutes(1) : Duration.ofSeconds(1));
        AlertStore alertStore = new AlertStore(database);
        BudgetAlerts alerts = new BudgetAlerts(
                settings.alerts(), budgets, users, alertStore, settings.admin().emails(), clock, metrics);
        usageWriter.spendListener(new UsageWriter.SpendListener() {
            @Override
            public void queued(String userId, long costNanos) {
                budgets.queued(userId, costNanos);
            }

            @Override
            public void written(Map<String, Long> costByUser) {
                budgets.written(costByUser);
                alerts.spent(costByUser.keySet());
            }
        });
        if (settings.alerts().any()) {
            AlertDelivery delivery = new AlertDelivery(settings.alerts(), alertStore, clock, metrics);
            background.every("budget-alerts", Duration.ofSeconds(1), Duration.ofSeconds(1), alerts::check);
            background.every("alert-delivery", Duration.ofSeconds(1), Duration.ofSeconds(1), delivery::sendDue);
        }
        RequestLimits limits = new RequestLimits(settings.limits(), shared.counters(), budgets, metrics, clock);
        SpendLimitsApi spendLimits = new SpendLimitsApi(new SpendLimitStore(sql), budgets, users, audit, shared);
        PricesApi prices = new PricesApi(pricing, audit, shared);
        ProductivityStore productivity = new ProductivityStore(database);
        this.digest = new ProductivityDigest(productivity);
        background.every("productivity-flush", Duration.ofSeconds(5), Duration.ofSeconds(5), digest::flush);
        ProductivityApi productivityApi = new ProductivityApi(productivity, clock);
        Console console = new Console(new Console.Parts(
                authenticator,
                web,
                new GatewaySecrets(sql).getOrCreate("console-csrf"),
                settings,
                usage,
                budgets,
                users,
                keys,
                admin,
                spendLimits,
                new SpendLimitStore(sql),
                audit,
                pricing,
                productivityApi,
                this::publicUrl));
        SelfPages pages = console.self();
        AdminPages adminPages = console.admin();
        // Other instances' changes arrive by broadcast with Redis; without it (or if a message is lost) these catch up.
        background.every("spend-limits-reload", Duration.ofSeconds(5), Duration.ofSeconds(5), budgets::reload);
        background.every("prices-refresh", Duration.ofSeconds(30), Duration.ofSeconds(30), pricing::refresh);
        background.every(
                "usage-prune",
                Duration.ofMinutes(1),
                Duration.ofMinutes(60),
                () -> usageWriter.prune(settings.metering().retentionDays()));
        this.export = settings.export().enabled()
                ? new UsageExport(
                        sql,
                        new Leases(sql, clock),
                        ExportTarget.of(
                                settings.export().to(), settings.export().s3PathStyle()),
                        settings.export().batchRecords(),
                        INSTANCE,
                        clock,
                        metrics::usageExported)
                : null;
        if (export != null)
            background.every(
                    "usage-export",
                    Duration.ofMinutes(1),
                    Duration.ofMinutes(settings.export().intervalMinutes()),
                    export::run);
        // Inference runs: record, authenticate, authorise (the model policy), then meter and limit what is let through.
        List<Interceptor> caller = List.of(operations.recorder(), Guards.caller(authenticator));
        List<Interceptor> accounting =
                settings.metering().enabled() ? List.of(metering.interceptor(), limits.interceptor()) : List.of();
        List<Interceptor> anthropicMessages = concat(caller, List.of(anthropic.authorise(true)), accounting);
        List<Interceptor> anthropicCount = concat(caller, List.of(anthropic.authorise(false)));
        List<Interceptor> bedrockMetered = concat(caller, List.of(bedrock.authorise()), accounting);
        List<Interceptor> bedrockCount = concat(caller, List.of(bedrock.authorise()));
        List<Interceptor> administrator = List.of(operations.recorder(), Guards.admin(authenticator));
        List<Interceptor> open = List.of();
        // Readiness details and metrics: on the management port, or on the public one with the management token.
        List<Interceptor> operators =
                List.of(Operations.operatorsOnly(settings.server().managementToken()));
        this.otlp = new OtlpForwarder(
                settings.telemetry().forwardTo().stream()
                        .map(to -> new OtlpForwarder.Destination(
                                URI.create(to.url()),
                                to.headers(),
                                Arrays.stream(OtlpSignal.values())
                                        .filter(signal -> to.takes(signal.label()))
                                        .collect(Collectors.toUnmodifiableSet())))
                        .toList(),
                settings.telemetry().queueCapacity(),
                settings.telemetry().queueBytes(),
                metrics);
        OtlpRelay telemetry = new OtlpRelay(otlp, digest);
        UsageOtlp usageOtlp = new UsageOtlp(otlp, INSTANCE, clock);
        usageWriter.onWritten(r -> usageOtlp.add(new UsageOtlp.Point(
                r.userEmail(),
                r.userId(),
                r.team(),
                r.project(),
                r.model(),
                r.region(),
                r.door(),
                r.status() >= 400,
                new long[] {
                    r.inputTokens(),
                    r.outputTokens(),
                    r.cacheReadTokens(),
                    r.cacheWrite5mTokens(),
                    r.cacheWrite1hTokens()
                },
                r.costNanos())));
        int usageSeconds = settings.telemetry().usageMetricsSeconds();
        if (usageSeconds > 0 && otlp.wants(OtlpSignal.METRICS))
            background.every(
                    "usage-metrics",
                    Duration.ofSeconds(usageSeconds),
                    Duration.ofSeconds(usageSeconds),
                    usageOtlp::flush);
        Router router = new Router();
        for (String prefix : List.of("", "/anthropic")) {
            router.add("POST", prefix + "/v1/messages", Door.ANTHROPIC, anthropicMessages, anthropic::messages)
                    .add(
                            "POST",
                            prefix + "/v1/messages/count_tokens",
                            Door.ANTHROPIC,
                            anthropicCount,
                            anthropic::countTokens)
                    .add("GET", prefix + "/v1/models", Door.ANTHROPIC, caller, models::anthropicModels)
                    .add("GET", prefix + "/api/hello", Door.ANTHROPIC, open, exchange -> exchange.sendEmpty(200));
        }
        for (OtlpSignal signal : OtlpSignal.values()) {
            router.add("POST", signal.path(), Door.ANTHROPIC, caller, exchange -> telemetry.export(exchange, signal));
        }
        for (String prefix : List.of("", "/bedrock")) {
            for (String operation :
                    List.of("invoke", "invoke-with-response-stream", "converse", "converse-stream", "count-tokens")) {
                router.add(
                        "POST",
                        prefix + "/model/{modelId}/" + operation,
                        Door.BEDROCK,
                        operation.equals("count-tokens") ? bedrockCount : bedrockMetered,
                        exchange -> bedrock.operation(exchange, operation));
            }
            router.add("GET", prefix + "/inference-profiles", Door.BEDROCK, caller, models::listInferenceProfiles)
                    .add("GET", prefix + "/inference-profiles/{id}", Door.BEDROCK, caller, models::getInferenceProfile);
        }
        router.add("POST", "/api/admin/keys", Door.API, administrator, admin::createKey)
                .add("GET", "/api/admin/keys", Door.API, administrator, admin::listKeys)
                .add("DELETE", "/api/admin/keys/{id}", Door.API, administrator, admin::revokeKey)
                .add("GET", "/api/admin/users", Door.API, administrator, admin::listUsers)
                .add("GET", "/api/admin/users/{id}", Door.API, administrator, admin::getUser)
                .add("PATCH", "/api/admin/users/{id}", Door.API, administrator, admin::updateUser)
                .add("GET", "/api/admin/audit", Door.API, administrator, admin::listAudit)
                .add("GET", "/api/admin/usage", Door.API, administrator, usage::all)
                .add("GET", "/api/admin/productivity", Door.API, administrator, productivityApi::serve)
                .add("GET", "/api/productivity", Door.API, caller, productivityApi::mine)
                .add("POST", "/api/admin/usage/export", Door.API, administrator, new UsageExportApi(export, audit)::run)
                .add("GET", "/api/usage", Door.API, caller, usage::mine)
                .add("GET", "/api/oauth/usage", Door.API, caller, new UsageStandingEndpoint(budgets)::serve)
                .add("GET", "/api/admin/prices", Door.API, administrator, prices::show)
                .add("POST", "/api/admin/prices", Door.API, administrator, prices::replace)
                .add("GET", "/v1/organizations/spend_limits", Door.API, administrator, spendLimits::list)
                .add("POST", "/v1/organizations/spend_limits", Door.API, administrator, spendLimits::create)
                .add("GET", "/v1/organizations/spend_limits/effective", Door.API, administrator, spendLimits::effective)
                .add("GET", "/v1/organizations/spend_limits/audit", Door.API, administrator, spendLimits::audit)
                .add("GET", "/v1/organizations/spend_limits/{id}", Door.API, administrator, spendLimits::get)
                .add("DELETE", "/v1/organizations/spend_limits/{id}", Door.API, administrator, spendLimits::delete)
                .add("GET", "/managed/settings", Door.API, caller, managedSettings::serve)
                .add("GET", "/api/me", Door.API, caller, self::me)
                .add("GET", "/api/keys", Door.API, caller, self::listKeys)
                .add("POST", "/api/keys", Door.API, caller, self::createKey)
                .add("DELETE", "/api/keys/{id}", Door.API, caller, self::revokeKey)
                .add("GET", "/", Door.API, open, pages::home)
                .add("GET", "/keys", Door.API, open, pages::keys)
                .add("POST", "/keys", Door.API, open, pages::createKey)
                .add("GET", "/keys/{id}/revoke", Door.API, open, pages::confirmRevoke)
                .add("POST", "/keys/{id}/revoke", Door.API, open, pages::revoke)
                .add("GET", "/connect", Door.API, open, pages::connect)
                .add("GET", "/downloads", Door.API, open, pages::downloads)
                .add("GET", "/downloads/{name}", Door.API, open, pages::download)
                .add("GET", "/admin", Door.API, open, adminPages::users)
                .add("GET", "/admin/users", Door.API, open, adminPages::users)
                .add("GET", "/admin/users/{id}", Door.API, open, adminPages::user)
                .add("POST", "/admin/users/{id}", Door.API, open, adminPages::updateUser)
                .add("GET", "/admin/keys", Door.API, open, adminPages::keys)
                .add("GET", "/admin/keys/{id}/revoke", Door.API, open, adminPages::confirmRevoke)
                .add("POST", "/admin/keys/{id}/revoke", Door.API, open, adminPages::revoke)
                .add("GET", "/admin/usage", Door.API, open, adminPages::usage)
                .add("GET", "/admin/usage.csv", Door.API, open, adminPages::usageCsv)
                .add("GET", "/admin/limits", Door.API, open, adminPages::limits)
                .add("POST", "/admin/limits", Door.API, open, adminPages::saveLimit)
                .add("GET", "/admin/limits/{id}/delete", Door.API, open, adminPages::confirmDeleteLimit)
                .add("POST", "/admin/limits/{id}/delete", Door.API, open, adminPages::deleteLimit)
                .add("GET", "/admin/settings", Door.API, open, adminPages::settings)
                .add("GET", "/admin/audit", Door.API, open, adminPages::audit)
                .add("GET", "/admin/productivity", Door.API, open, console.productivity()::serve)
                .add("GET", "/admin/audit.csv", Door.API, open, adminPages::auditCsv)
                .add("GET", "/assets/{name}", Door.API, open, console::asset)
                .add("GET", "/favicon.ico", Door.API, open, console::favicon)
                .add("GET", "/login", Door.API, open, web::login)
                .add("GET", "/oauth/callback", Door.API, open, web::callback)
                .add("POST", "/logout", Door.API, open, web::logout)
                .add("GET", "/.well-known/oauth-authorization-server", Door.API, open, oauth::discovery)
                .add("POST", "/oauth/device_authorization", Door.API, open, oauth::deviceAuthorization)
                .add("GET", "/device", Door.API, open, web::devicePage)
                .add("POST", "/device", Door.API, open, web::deviceApprove)
                .add("POST", "/device/confirm", Door.API, open, web::deviceConfirm)
                .add("POST", "/device/deny", Door.API, open, web::deviceDeny)
                .add("POST", "/oauth/token", Door.API, open, oauth::token)
                .add("POST", "/oauth/revoke", Door.API, open, oauth::revoke)
                .add("GET", "/healthz", Door.API, open, operations::health)
                .add("GET", "/readyz", Door.API, operators, operations::ready)
                .add("GET", "/metrics", Door.API, operators, operations::metrics);
        TlsCertificates tls = settings.server().tls().enabled()
                ? new TlsCertificates(
                        Path.of(settings.server().tls().certFile()),
                        Path.of(settings.server().tls().keyFile()))
                : null;
        if (tls != null)
            background.every("tls-reload", Duration.ofSeconds(5), Duration.ofSeconds(5), tls::reloadIfChanged);
        this.server = new HttpServer(
                settings.server().host(),
                settings.server().port(),
                router,
                settings.server().maxBodyBytes(),
                settings.server().shutdownGrace(),
                settings.server().idleTimeout(),
                settings.server().proxies(),
                settings.server().management(),
                tls,
                () -> stopping);
    }

    public Gateway start() throws Exception {
        server.start();
        return this;
    }

    public int port() {
        return server.port();
    }

    /** The management port's URL (/healthz, /readyz, /metrics), or null without one. */
    public String managementUrl() {
        int port = server.managementPort();
        if (port < 0) return null;
        String host = settings.server().managementHost();
        return "http://" + (host.equals("0.0.0.0") || host.equals("::") ? "127.0.0.1" : host) + ":" + port;
    }

    public String url() {
        String host = settings.server().host();
        String scheme = settings.server().tls().enabled() ? "https://" : "http://";
        return scheme + (host.equals("0.0.0.0") || host.equals("::") ? "127.0.0.1" : host) + ":" + port();
    }

    /** Why upstream requests can't be signed right now, or null when they can. */
    public String upstreamCredentialProblem() {
        return signer.problem();
    }

    /** The URL people and clients reach the gateway at: {@code server.public_url}, else where it listens. */
    public String publicUrl() {
        String configured = settings.server().publicUrl();
        return configured != null ? configured.replaceAll("/+$", "") : url();
    }

    private static PriceList readPrices(Path file) {
        try {
            return PriceList.parse(Files.readString(file));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The periodic tasks and how each has fared (for tests and operators). */
    public Map<String, BackgroundTasks.Status> backgroundTasks() {
        return background.status();
    }

    /** Runs every periodic task once now, as at its turn. */
    public void runBackgroundTasksNow() throws InterruptedException {
        background.runAllNow();
    }

    /** How many usage records wait in memory and in the local journal (for tests and operators). */
    public UsageWriter usageWriter() {
        return usageWriter;
    }

    public Settings settings() {
        return settings;
    }

    public UserStore users() {
        return users;
    }

    public SessionService sessions() {
        return sessions;
    }

    public ApiKeyStore keys() {
        return keys;
    }

    /** Graceful: in-flight requests and streams may finish within the configured grace period. */
    @Override
    public void close() throws Exception {
        try {
            stopping = true; // readiness fails and every answer closes its connection, while requests are served
            Thread.sleep(settings.server().drainDelay());
            server.stop();
        } finally {
            background.close();
            flushQuietly();
            if (export != null) export.close();
            otlp.close();
            usageWriter.close();
            shared.close();
            watchdog.close();
            upstream.close();
            database.close();
        }
    }

    /** What Claude Code's telemetry added since the last flush, written before the database closes. */
    private void flushQuietly() {
        try {
            digest.flush();
        } catch (RuntimeException e) {
            LOG.warn("productivity totals could not be written at shutdown ({})", e.getMessage());
        }
    }

    /**
     * The configured policies, with the telemetry variables under them when telemetry is relayed: signed-in Claude
     * Code then exports its OpenTelemetry here (the protocol's six variables; a policy's own env wins).
     */
    private static ManagedPolicies managedPolicies(Settings settings) {
        String publicUrl = settings.server().publicUrl();
        if (settings.telemetry().forwardTo().isEmpty() || publicUrl == null) return settings.policies();
        ObjectNode base = Json.MAPPER.createObjectNode();
        base.putObject("env")
                .put("CLAUDE_CODE_ENABLE_TELEMETRY", "1")
                .put("OTEL_METRICS_EXPORTER", "otlp")
                .put("OTEL_LOGS_EXPORTER", "otlp")
                .put("OTEL_TRACES_EXPORTER", "otlp")
                .put("OTEL_EXPORTER_OTLP_ENDPOINT", publicUrl.replaceAll("/+$", ""))
                .put("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf");
        return settings.policies().underlaid(base);
    }

    @SafeVarargs
    private static List<Interceptor> concat(List<Interceptor>... parts) {
        List<Interceptor> all = new ArrayList<>();
        for (List<Interceptor> part : parts) all.addAll(part);
        return List.copyOf(all);
    }
}
