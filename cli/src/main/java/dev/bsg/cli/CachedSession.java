package dev.bsg.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The cached path of {@code bsg token}, Claude Code's {@code apiKeyHelper}, which it runs often: print the
 * stored access token while it is good for another minute, touching nothing but {@code java.base}, as
 * {@link CachedCredentials} does for credential-process. A token in the Secret Service is read with one
 * {@code secret-tool lookup}. Anything else (a refresh, a split keyring entry, another platform's
 * keyring, other options) goes to the full command.
 */
final class CachedSession {
    private static final long MARGIN_SECONDS = 60;

    private CachedSession() {}

    /** True when it printed the token; false to let the full command run. */
    static boolean tryAnswer(String[] args) {
        String gateway = null;
        for (int i = 1; i < args.length; i++) {
            if (args[i].equals("--gateway") && i + 1 < args.length) gateway = args[++i];
            else if (args[i].startsWith("--gateway=")) gateway = args[i].substring("--gateway=".length());
            else return false;
        }
        String json;
        try {
            json = Files.readString(credentialsFile(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return false;
        }
        if (json.indexOf('\\') >= 0) return false;
        if (gateway == null) gateway = CachedCredentials.field(json, "default");
        if (gateway == null) return false;
        while (gateway.endsWith("/")) gateway = gateway.substring(0, gateway.length() - 1);
        int open = CachedCredentials.value(json, gateway);
        if (open < 0 || json.charAt(open) != '{') return false;
        int close = json.indexOf('}', open);
        if (close < 0) return false;
        String entry = json.substring(open, close + 1);
        String expires = CachedCredentials.number(entry, "expires_at");
        try {
            if (expires == null || Long.parseLong(expires) - System.currentTimeMillis() / 1000 < MARGIN_SECONDS)
                return false;
        } catch (NumberFormatException e) {
            return false;
        }
        String tokens = CachedCredentials.value(entry, "in_keyring") >= 0 ? fromSecretService(gateway) : entry;
        String access = tokens == null ? null : CachedCredentials.field(tokens, "access_token");
        if (access == null || access.isEmpty()) return false;
        System.out.println(access);
        return true;
    }

    /** Where {@link CredentialFile} keeps the sessions: one rule for the full command and this path. */
    static Path credentialsFile() {
        return configDirectory().resolve("credentials.json");
    }

    /** bsg's own configuration directory: {@code $XDG_CONFIG_HOME/bsg}, else ~/.config/bsg (here so the cached path needs only java.base). */
    static Path configDirectory() {
        String configHome = System.getenv("XDG_CONFIG_HOME");
        Path base = configHome != null && !configHome.isBlank()
                ? Path.of(configHome)
                : Path.of(System.getProperty("user.home"), ".config");
        return base.resolve("bsg");
    }

    /** The stored tokens from the Secret Service, or null (another platform, a split entry, a locked keyring). */
    private static String fromSecretService(String gateway) {
        if (!System.getProperty("os.name", "").startsWith("Linux") || System.getenv("DBUS_SESSION_BUS_ADDRESS") == null)
            return null;
        try {
            Process lookup = new ProcessBuilder("secret-tool", "lookup", "service", "bsg", "account", gateway)
                    .redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
            lookup.getOutputStream().close();
            String out;
            try (InputStream in = lookup.getInputStream()) {
                out = new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
            }
            if (lookup.waitFor() != 0 || out.isEmpty() || out.startsWith("bsg-split:")) return null;
            return out;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }
}
