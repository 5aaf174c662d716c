package dev.bsg.server;

import dev.bsg.cli.CliException;
import dev.bsg.gateway.Gateway;
import dev.bsg.gateway.auth.ApiKeyFormat;
import dev.bsg.gateway.core.Secrets;
import dev.bsg.gateway.settings.Settings;
import dev.bsg.gateway.settings.SettingsException;
import dev.bsg.gateway.settings.SettingsLoader;
import dev.bsg.gateway.store.User;
import dev.bsg.simulator.BedrockSimulator;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "serve", mixinStandardHelpOptions = true, description = "Run the gateway.")
public final class ServeCommand implements Callable<Integer> {
    @Option(
            names = "--config",
            description = "YAML configuration file (default: $BSG_CONFIG; every key can also be set as"
                    + " BSG_<SECTION>__<KEY>).")
    Path config;

    @Option(
            names = "--demo",
            description = "Use a built-in Bedrock simulator as upstream and print a ready API key. Works offline.")
    boolean demo;

    @Option(names = "--port", description = "Port to listen on (overrides server.port).")
    Integer port;

    /** The file $BSG_CONFIG names (the image's way to mount one), or null. */
    static Path configFromEnvironment(Map<String, String> env) {
        String named = env.get("BSG_CONFIG");
        return named == null ? null : Path.of(named);
    }

    @Override
    public Integer call() throws Exception {
        Map<String, String> env = new HashMap<>(System.getenv());
        if (config == null) config = configFromEnvironment(env);
        if (port != null) env.put("BSG_SERVER__PORT", port.toString());
        BedrockSimulator simulator = null;
        DevelopmentIdentityProvider identityProvider = null;
        String adminKey = null;
        if (demo) {
            simulator = BedrockSimulator.start();
            identityProvider = DevelopmentIdentityProvider.start();
            env.putAll(identityProvider.gatewayEnvironment());
            adminKey = "bsg-demo-admin-" + Secrets.base62(24);
            env.putAll(simulator.gatewayEnvironment());
            env.put("BSG_UPSTREAM__REGIONS", "us-east-1");
            env.putIfAbsent("BSG_DATABASE__URL", "jdbc:sqlite:./data/demo.db");
            env.put("BSG_ADMIN__API_KEYS", adminKey);
            env.putIfAbsent("BSG_ADMIN__EMAILS", "admin@example.com");
            env.putIfAbsent("BSG_SERVER__MANAGEMENT_PORT", "0");
        }
        Settings settings;
        try {
            settings = SettingsLoader.load(config, env);
        } catch (SettingsException e) {
            throw new CliException(e.getMessage());
        }
        ServerLogging.configure(settings.logging());
        Gateway gateway;
        try {
            gateway = new Gateway(settings).start();
        } catch (IOException e) {
            throw new CliException("can't listen on " + settings.server().host() + ":"
                    + settings.server().port()
                    + " or management port " + settings.server().managementPort() + " (" + e.getMessage()
                    + "); stop what uses the port or pick another with --port or BSG_SERVER__PORT, and"
                    + " BSG_SERVER__MANAGEMENT_PORT (-1 for none)");
        } catch (RuntimeException e) {
            throw new CliException("can't start: " + e.getMessage());
        }
        CountDownLatch stopped = new CountDownLatch(1);
        BedrockSimulator sim = simulator;
        DevelopmentIdentityProvider idp = identityProvider;
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            System.err.println("bsg: shutting down, letting in-flight requests finish (up to "
                                    + settings.server().shutdownGrace().toSeconds() + " s)");
                            try {
                                gateway.close();
                            } catch (Exception e) {
                                System.err.println("bsg: shutdown: " + e.getMessage());
                            }
                            if (sim != null) sim.close();
                            if (idp != null) idp.close();
                            ServerLogging.flush();
                            stopped.countDown();
                        },
                        "bsg-shutdown"));
        System.out.println("bsg: gateway listening on " + gateway.url()
                + (gateway.managementUrl() == null
                        ? ""
                        : " (health, readiness and metrics on " + gateway.managementUrl() + " )"));
        if (!settings.server().trustedProxies().isEmpty() && settings.server().publicUrl() == null) {
            System.err.println("bsg: warning: server.trusted_proxies is set but server.public_url is not: sign-in"
                    + " links will point at " + gateway.url() + "; set server.public_url to the address people use");
        }
        String credentials = gateway.upstreamCredentialProblem();
        if (credentials != null) {
            System.err.println("bsg: warning: no usable AWS credentials for Bedrock ("
                    + credentials.lines().findFirst().orElse("") + ")");
            System.err.println(
                    "bsg: inference answers 503 until upstream.credentials is fixed; try ./bsg serve --demo to run without AWS");
        }
        if (demo) printDemo(gateway, adminKey);
        System.out.flush();
        stopped.await();
        return 0;
    }

    private static void printDemo(Gateway gateway, String adminKey) {
        User user = gateway.users().findOrCreate("demo@example.com", "Demo Developer");
        String key = ApiKeyFormat.generate();
        gateway.keys().create(user.id(), "demo " + Instant.now(), Secrets.sha256(key), ApiKeyFormat.hint(key), null);
        String url = gateway.url();
        System.out.println("""
                bsg: demo mode: upstream is the built-in Bedrock simulator; nothing leaves this machine.

                  API key (demo@example.com):  %2$s
                  Admin key (this run only):   %3$s

                Claude Code, Anthropic format:
                  export ANTHROPIC_BASE_URL=%1$s
                  export ANTHROPIC_API_KEY=%2$s
                  claude -p "hello"

                Claude Code, Bedrock format:
                  export CLAUDE_CODE_USE_BEDROCK=1 CLAUDE_CODE_SKIP_BEDROCK_AUTH=1
                  export ANTHROPIC_BEDROCK_BASE_URL=%1$s/bedrock ANTHROPIC_AUTH_TOKEN=%2$s

                curl:
                  curl %1$s/v1/messages -H 'x-api-key: %2$s' -H 'anthropic-version: 2023-06-01' \\
                    -d '{"model":"claude-sonnet-4-5","max_tokens":64,"messages":[{"role":"user","content":"hi"}]}'

                Sign in (development identity provider: enter any email address as the user name;
                admin@example.com also gets the admin pages):
                  browser:  %1$s/login
                  CLI:      ./bsg login --gateway %1$s --device

                Admin:
                  ./bsg admin --url %1$s --token %3$s keys list
                """.formatted(url, key, adminKey));
    }
}
