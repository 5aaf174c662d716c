package dev.bsg.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The operating system's keyring, through its own command-line tool: the Secret Service
 * ({@code secret-tool}) on Linux, the login keychain ({@code security}) on macOS. Absent or locked
 * keyrings make every call fail, and the caller falls back to the 0600 file.
 */
final class Keyring {
    private static final String SERVICE = "bsg";
    private final boolean mac = System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT).contains("mac");

    /** Whether to try the keyring at all: {@code BSG_CREDENTIAL_STORAGE=file} turns it off. */
    static Keyring ifWanted() {
        String choice = System.getProperty("bsg.credential.storage", System.getenv().getOrDefault("BSG_CREDENTIAL_STORAGE", "auto"));
        if (choice.equals("file")) return null;
        Keyring keyring = new Keyring();
        return keyring.toolPresent() ? keyring : null;
    }

    private boolean toolPresent() {
        if (mac) return true;
        if (System.getenv("DBUS_SESSION_BUS_ADDRESS") == null) return false;
        for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            if (java.nio.file.Files.isExecutable(java.nio.file.Path.of(dir, "secret-tool"))) return true;
        }
        return false;
    }

    boolean put(String account, String secret) {
        List<String> command = mac
                ? List.of("security", "add-generic-password", "-U", "-s", SERVICE, "-a", account, "-w", secret)
                : List.of("secret-tool", "store", "--label", "bsg " + account, "service", SERVICE, "account", account);
        return run(command, mac ? null : secret) != null;
    }

    String get(String account) {
        List<String> command = mac
                ? List.of("security", "find-generic-password", "-s", SERVICE, "-a", account, "-w")
                : List.of("secret-tool", "lookup", "service", SERVICE, "account", account);
        String value = run(command, null);
        return value == null || value.isEmpty() ? null : value.strip();
    }

    void remove(String account) {
        run(mac ? List.of("security", "delete-generic-password", "-s", SERVICE, "-a", account)
                : List.of("secret-tool", "clear", "service", SERVICE, "account", account), null);
    }

    /** The tool's output, or null when it failed or took too long (a locked keyring can hang). */
    private static String run(List<String> command, String stdin) {
        try {
            Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            try (var in = process.getOutputStream()) {
                if (stdin != null) in.write(stdin.getBytes(StandardCharsets.UTF_8));
            }
            byte[] out = process.getInputStream().readAllBytes();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                return null;
            }
            return process.exitValue() == 0 ? new String(out, StandardCharsets.UTF_8) : null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }
}
