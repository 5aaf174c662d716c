package dev.bsg.cli;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The operating system's keyring, through its own command-line tool: the Secret Service
 * ({@code secret-tool}) on Linux, the login keychain ({@code security}) on macOS, the Credential
 * Manager (PowerShell's PasswordVault) on Windows. A secret longer than the platform lets one entry
 * hold is split over numbered entries under a head that says how many. Absent or locked keyrings make
 * every call fail, and the caller falls back to the 0600 file.
 */
final class Keyring {
    private static final String SERVICE = "bsg";
    private static final String SPLIT = "bsg-split:";
    private final Store store;
    private final int maxEntry;

    /** One entry per account in some OS store; put and get are each one call of the store's tool. */
    interface Store {
        boolean available();

        boolean put(String account, String secret);

        /** The secret, or null when there is none or the store can't be read. */
        String get(String account);

        void remove(String account);

        /** The longest secret one entry holds, in characters. */
        int maxEntry();
    }

    Keyring(Store store, int maxEntry) {
        this.store = store;
        this.maxEntry = maxEntry;
    }

    /** This platform's keyring, whether or not it is there. */
    static Keyring platform() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        Store store = os.contains("mac")
                ? new MacKeychain()
                : os.contains("win") ? new WindowsCredentialManager() : new SecretService();
        return new Keyring(store, Integer.getInteger("bsg.keyring.max-entry", store.maxEntry()));
    }

    /** Whether to try the keyring at all: {@code BSG_CREDENTIAL_STORAGE=file} turns it off. */
    static Keyring ifWanted() {
        String choice = System.getProperty(
                "bsg.credential.storage", System.getenv().getOrDefault("BSG_CREDENTIAL_STORAGE", "auto"));
        if (choice.equals("file")) return null;
        Keyring keyring = platform();
        return keyring.store.available() ? keyring : null;
    }

    /**
     * A long secret's pieces go under a fresh generation name before the head points at them, and the
     * old generation's pieces go after: a reader sees the old secret or the new one, never a mix, even
     * when a write fails halfway.
     */
    boolean put(String account, String secret) {
        Split before = Split.of(store.get(account));
        int pieces = (secret.length() + maxEntry - 1) / maxEntry;
        String head = secret;
        if (pieces > 1) {
            Split split = new Split(pieces, Long.toString(System.nanoTime() & 0xffffffffL, 36));
            for (int i = 1; i <= pieces; i++) {
                if (!store.put(
                        split.piece(account, i),
                        secret.substring((i - 1) * maxEntry, Math.min(secret.length(), i * maxEntry)))) return false;
            }
            head = split.head();
        }
        if (!store.put(account, head)) return false;
        if (before != null) before.removePieces(store, account);
        return true;
    }

    String get(String account) {
        String head = store.get(account);
        Split split = Split.of(head);
        if (split == null) return head;
        StringBuilder whole = new StringBuilder();
        for (int i = 1; i <= split.pieces(); i++) {
            String piece = store.get(split.piece(account, i));
            if (piece == null) return null;
            whole.append(piece);
        }
        return whole.toString();
    }

    void remove(String account) {
        Split split = Split.of(store.get(account));
        store.remove(account);
        if (split != null) split.removePieces(store, account);
    }

    /** A head entry {@code bsg-split:N:GENERATION}: the secret is in entries {@code ACCOUNT#GENERATION.1..N}. */
    private record Split(int pieces, String generation) {
        static Split of(String head) {
            if (head == null || !head.startsWith(SPLIT)) return null;
            String[] parts = head.substring(SPLIT.length()).strip().split(":", 2);
            try {
                return parts.length == 2 ? new Split(Integer.parseInt(parts[0]), parts[1]) : null;
            } catch (NumberFormatException e) {
                return null;
            }
        }

        String head() {
            return SPLIT + pieces + ":" + generation;
        }

        String piece(String account, int number) {
            return account + "#" + generation + "." + number;
        }

        void removePieces(Store store, String account) {
            for (int i = 1; i <= pieces; i++) store.remove(piece(account, i));
        }
    }

    /** Linux: the Secret Service (GNOME Keyring, KWallet) through libsecret's secret-tool; no practical size limit. */
    static final class SecretService implements Store {
        @Override
        public boolean available() {
            return System.getenv("DBUS_SESSION_BUS_ADDRESS") != null && onPath("secret-tool");
        }

        @Override
        public boolean put(String account, String secret) {
            return run(
                            List.of(
                                    "secret-tool",
                                    "store",
                                    "--label",
                                    "bsg " + account,
                                    "service",
                                    SERVICE,
                                    "account",
                                    account),
                            secret,
                            Map.of())
                    != null;
        }

        @Override
        public String get(String account) {
            return nonEmpty(
                    run(List.of("secret-tool", "lookup", "service", SERVICE, "account", account), null, Map.of()));
        }

        @Override
        public void remove(String account) {
            run(List.of("secret-tool", "clear", "service", SERVICE, "account", account), null, Map.of());
        }

        @Override
        public int maxEntry() {
            return Integer.MAX_VALUE;
        }
    }

    /**
     * macOS: the login keychain through {@code security}, fed on stdin ({@code -i}) so no secret appears
     * in the process list; its interactive lines are kept short, hence the limit.
     */
    static final class MacKeychain implements Store {
        @Override
        public boolean available() {
            return true;
        }

        @Override
        public boolean put(String account, String secret) {
            if (secret.contains("\"") || secret.contains("\\") || secret.contains("\n") || account.contains("\""))
                return false;
            String command =
                    "add-generic-password -U -s " + SERVICE + " -a \"" + account + "\" -w \"" + secret + "\"\n";
            // security -i exits 0 whatever its commands did: success is the secret reading back
            return run(List.of("security", "-i"), command, Map.of()) != null && secret.equals(get(account));
        }

        @Override
        public String get(String account) {
            return nonEmpty(run(
                    List.of("security", "find-generic-password", "-s", SERVICE, "-a", account, "-w"), null, Map.of()));
        }

        @Override
        public void remove(String account) {
            run(List.of("security", "delete-generic-password", "-s", SERVICE, "-a", account), null, Map.of());
        }

        @Override
        public int maxEntry() {
            return 2000;
        }
    }

    /**
     * Windows: the Credential Manager through Windows PowerShell's PasswordVault; the account travels
     * in the environment and the secret on stdin. A credential holds 2,560 bytes of UTF-16: 1,280 characters.
     */
    static final class WindowsCredentialManager implements Store {
        private static final String VAULT =
                "[void][Windows.Security.Credentials.PasswordVault,Windows.Security.Credentials,ContentType=WindowsRuntime];"
                        + "$vault = New-Object Windows.Security.Credentials.PasswordVault;";

        @Override
        public boolean available() {
            return onPath("powershell.exe");
        }

        @Override
        public boolean put(String account, String secret) {
            return powershell(
                            "$secret = [Console]::In.ReadToEnd();"
                                    + "try { $vault.Remove($vault.Retrieve('" + SERVICE
                                    + "', $env:BSG_KEYRING_ACCOUNT)) } catch {};"
                                    + "$vault.Add((New-Object Windows.Security.Credentials.PasswordCredential('"
                                    + SERVICE + "', $env:BSG_KEYRING_ACCOUNT, $secret)))",
                            account,
                            secret)
                    != null;
        }

        @Override
        public String get(String account) {
            return nonEmpty(powershell(
                    "$c = $vault.Retrieve('" + SERVICE
                            + "', $env:BSG_KEYRING_ACCOUNT); $c.RetrievePassword(); [Console]::Out.Write($c.Password)",
                    account,
                    null));
        }

        @Override
        public void remove(String account) {
            powershell("$vault.Remove($vault.Retrieve('" + SERVICE + "', $env:BSG_KEYRING_ACCOUNT))", account, null);
        }

        @Override
        public int maxEntry() {
            return 1280;
        }

        private static String powershell(String script, String account, String stdin) {
            return run(
                    List.of(
                            "powershell.exe",
                            "-NoProfile",
                            "-NonInteractive",
                            "-Command",
                            "$ErrorActionPreference = 'Stop';" + VAULT + script),
                    stdin,
                    Map.of("BSG_KEYRING_ACCOUNT", account));
        }
    }

    private static boolean onPath(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, tool))) return true;
        }
        return false;
    }

    private static String nonEmpty(String value) {
        return value == null || value.isEmpty() ? null : value.strip();
    }

    /** The tool's output, or null when it failed or took too long (a locked keyring can hang). */
    private static String run(List<String> command, String stdin, Map<String, String> environment) {
        try {
            ProcessBuilder builder = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD);
            builder.environment().putAll(environment);
            Process process = builder.start();
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
