package dev.bsg.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code bsg login}, {@code bsg token}, {@code bsg logout}: a developer's gateway session. */
final class SessionCommands {
    private SessionCommands() {}

    @Command(
            name = "login",
            mixinStandardHelpOptions = true,
            description = "Sign in to a gateway with your company account.")
    static final class Login implements Callable<Integer> {
        @Option(names = "--gateway", required = true, description = "The gateway's URL.")
        String gateway;

        @Option(
                names = "--device",
                description = "Don't open a browser here; print the code and URL to open on another device.")
        boolean device;

        @Override
        public Integer call() throws Exception {
            GatewayClient client = new GatewayClient(gateway);
            JsonNode discovery = client.discovery();
            GatewayClient.Answer started = client.form(
                    discovery
                            .path("device_authorization_endpoint")
                            .asText(client.gateway() + "/oauth/device_authorization"),
                    "surface",
                    "bsg_cli");
            if (started.status() != 200)
                throw new CliException("the gateway refused to start a sign-in: "
                        + started.body().path("error_description").asText(started.error()));
            JsonNode grant = started.body();
            String complete = grant.path("verification_uri_complete").asText();
            System.err.println(
                    "bsg: to sign in, open " + grant.path("verification_uri").asText() + " and confirm the code "
                            + grant.path("user_code").asText());
            if (!device && !Browser.open(complete))
                System.err.println("bsg: no browser could be opened here; open this link yourself: " + complete);
            System.err.println("bsg: waiting for the sign-in to finish in the browser...");
            long interval = grant.path("interval").asLong(5);
            Instant deadline =
                    Instant.now().plusSeconds(grant.path("expires_in").asLong(600));
            String tokenEndpoint = discovery.path("token_endpoint").asText(client.gateway() + "/oauth/token");
            while (Instant.now().isBefore(deadline)) {
                Thread.sleep(Duration.ofSeconds(interval));
                GatewayClient.Answer answer = client.form(
                        tokenEndpoint,
                        "grant_type",
                        "urn:ietf:params:oauth:grant-type:device_code",
                        "device_code",
                        grant.path("device_code").asText());
                if (answer.status() == 200) {
                    CredentialFile.Entry entry = client.entryFrom(answer.body());
                    CredentialFile.standard().write(entry);
                    System.err.println("bsg: signed in to " + client.gateway()
                            + (entry.email() == null ? "" : " as " + entry.email()));
                    return 0;
                }
                switch (answer.error()) {
                    case "authorization_pending" -> {}
                    case "slow_down" -> interval += 5;
                    case "access_denied" -> throw new CliException("the sign-in was denied in the browser");
                    case "expired_token" -> throw new CliException("the sign-in code expired; run bsg login again");
                    default ->
                        throw new CliException("sign-in failed: "
                                + answer.body().path("error_description").asText(answer.error()));
                }
            }
            throw new CliException("the sign-in was not finished in time; run bsg login again");
        }
    }

    /** Commands that act on a stored session: {@code --gateway}, or the one last signed in to. */
    abstract static class StoredSession {
        @Option(names = "--gateway", description = "The gateway (default: the one you last signed in to).")
        String gateway;

        CredentialFile.Entry stored(CredentialFile file) {
            return file.read(gateway == null ? null : gateway.replaceAll("/+$", ""));
        }
    }

    @Command(
            name = "token",
            mixinStandardHelpOptions = true,
            description =
                    "Print a fresh gateway access token (refreshing it silently); fits Claude Code's apiKeyHelper.")
    static final class Token extends StoredSession implements Callable<Integer> {
        @Override
        public Integer call() {
            CredentialFile file = CredentialFile.standard();
            CredentialFile.Entry entry = stored(file);
            if (entry == null)
                throw new CliException(
                        "not signed in" + (gateway == null ? "" : " to " + gateway) + "; run bsg login --gateway URL");
            if (entry.expiresAtEpochSecond() - Instant.now().getEpochSecond() < 60) {
                if (entry.refreshToken() == null)
                    throw new CliException("your session expired; run bsg login --gateway " + entry.gateway());
                GatewayClient client = new GatewayClient(entry.gateway());
                GatewayClient.Answer answer = client.form(
                        client.gateway() + "/oauth/token",
                        "grant_type",
                        "refresh_token",
                        "refresh_token",
                        entry.refreshToken());
                if (answer.status() != 200) {
                    file.remove(entry.gateway());
                    throw new CliException("your session ended ("
                            + answer.body().path("error_description").asText(answer.error())
                            + "); run bsg login --gateway " + entry.gateway());
                }
                entry = client.entryFrom(answer.body());
                file.write(entry);
            }
            System.out.println(entry.accessToken());
            return 0;
        }
    }

    @Command(
            name = "logout",
            mixinStandardHelpOptions = true,
            description = "End your session with a gateway and forget its tokens.")
    static final class Logout extends StoredSession implements Callable<Integer> {
        @Override
        public Integer call() {
            CredentialFile file = CredentialFile.standard();
            CredentialFile.Entry entry = stored(file);
            if (entry == null) {
                System.err.println("bsg: not signed in; nothing to do");
                return 0;
            }
            try {
                GatewayClient client = new GatewayClient(entry.gateway());
                client.form(
                        entry.gateway() + "/oauth/revoke",
                        "token",
                        entry.accessToken(),
                        "token_type_hint",
                        "access_token");
                if (entry.refreshToken() != null) {
                    client.form(
                            entry.gateway() + "/oauth/revoke",
                            "token",
                            entry.refreshToken(),
                            "token_type_hint",
                            "refresh_token");
                }
            } catch (CliException e) {
                System.err.println("bsg: the gateway could not be told (" + e.getMessage()
                        + "); the local tokens are removed anyway");
            }
            file.remove(entry.gateway());
            System.err.println("bsg: signed out of " + entry.gateway());
            return 0;
        }
    }
}
