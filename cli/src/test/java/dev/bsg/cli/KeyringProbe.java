package dev.bsg.cli;

import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.Set;

/** Run by {@link KeyringStorageIT} inside a D-Bus session with an unlocked keyring: store, read back, forget. */
public final class KeyringProbe {
    private KeyringProbe() {}

    public static void main(String[] args) {
        if (args[0].equals("aws")) {
            aws(args[1]);
            return;
        }
        if (args[0].equals("split")) {
            split();
            return;
        }
        CredentialFile file = CredentialFile.standard();
        file.write(new CredentialFile.Entry(
                "https://gw.example.com",
                "access-" + args[0],
                4_000_000_000L,
                "refresh-" + args[0],
                "kim@example.com"));
        CredentialFile.Entry back = file.read(null);
        System.out.println("read " + back.accessToken() + " " + back.refreshToken());
        System.out.println("file " + file.path());
        if (args.length > 1 && args[1].equals("remove")) {
            file.remove("https://gw.example.com");
            System.out.println("removed " + (file.read(null) == null));
        }
    }

    /** AWS credentials with their secrets in the keyring: written, then answered by credential-process from there. */
    private static void aws(String secret) {
        AwsCredentialCache cache = AwsCredentialCache.forProfile("kr");
        cache.write(
                new AwsCredentialCache.Cached(
                        "ASIAKEYRING000000001",
                        "secret-" + secret,
                        "token-" + secret,
                        Instant.parse("2099-01-01T00:00:00Z"),
                        "id." + secret + ".sig",
                        Instant.parse("2099-01-01T00:00:00Z"),
                        "refresh-" + secret),
                true);
        System.out.println("file " + cache.path());
        System.out.println("head " + new Keyring.SecretService().get("aws-profile:kr"));
        System.out.println("fast path answered "
                + CachedCredentials.tryAnswer(new String[] {"credential-process", "--profile", "kr"}));
        System.out.println("exit " + Main.run("credential-process", "--profile", "kr"));
    }

    /** A keyring whose entries hold 64 characters: long secrets span numbered entries, which shrink and go with the secret. */
    private static void split() {
        Keyring keyring = new Keyring(new Keyring.SecretService(), 64);
        Keyring.SecretService raw = new Keyring.SecretService();
        String longSecret = "L".repeat(150) + "-end";
        System.out.println("put " + keyring.put("split-test", longSecret));
        System.out.println("head " + shape(raw.get("split-test")) + " pieces " + pieces(raw));
        System.out.println("whole " + longSecret.equals(keyring.get("split-test")));
        System.out.println("put " + keyring.put("split-test", "S".repeat(100)));
        System.out.println("head " + shape(raw.get("split-test")) + " pieces " + pieces(raw) + " whole "
                + "S".repeat(100).equals(keyring.get("split-test")));
        System.out.println("put " + keyring.put("split-test", "short"));
        System.out.println("head " + raw.get("split-test") + " pieces " + pieces(raw));
        System.out.println("put " + keyring.put("split-test", longSecret));
        keyring.remove("split-test");
        System.out.println("removed " + (keyring.get("split-test") == null) + " pieces " + pieces(raw));
    }

    /** The head without its generation, which changes on every write. */
    private static String shape(String head) {
        return head == null ? null : head.replaceFirst(":[0-9a-z]+$", ":G");
    }

    /** The piece entries of every generation the head has named so far in this run, as #1#2... */
    private static final Set<String> GENERATIONS = new LinkedHashSet<>();

    private static String pieces(Keyring.SecretService raw) {
        String head = raw.get("split-test");
        if (head != null && head.startsWith("bsg-split:")) GENERATIONS.add(head.substring(head.lastIndexOf(':') + 1));
        StringBuilder found = new StringBuilder();
        for (String generation : GENERATIONS) {
            for (int i = 1; i <= 5; i++)
                if (raw.get("split-test#" + generation + "." + i) != null)
                    found.append('#').append(i);
        }
        return found.isEmpty() ? "none" : found.toString();
    }
}
