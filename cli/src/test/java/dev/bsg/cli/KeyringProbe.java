package dev.bsg.cli;

/** Run by {@link KeyringStorageTest} inside a D-Bus session with an unlocked keyring: store, read back, forget. */
public final class KeyringProbe {
    private KeyringProbe() {}

    public static void main(String[] args) {
        if (args[0].equals("aws")) {
            aws(args[1]);
            return;
        }
        CredentialFile file = CredentialFile.standard();
        file.write(new CredentialFile.Entry("https://gw.example.com", "access-" + args[0], 4_000_000_000L, "refresh-" + args[0], "kim@example.com"));
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
        cache.write(new AwsCredentialCache.Cached("ASIAKEYRING000000001", "secret-" + secret, "token-" + secret, java.time.Instant.parse("2099-01-01T00:00:00Z"),
                "id." + secret + ".sig", java.time.Instant.parse("2099-01-01T00:00:00Z"), "refresh-" + secret), true);
        System.out.println("file " + cache.path());
        System.out.println("fast path answered " + CachedCredentials.tryAnswer(new String[] {"credential-process", "--profile", "kr"}));
        System.out.println("exit " + Main.run("credential-process", "--profile", "kr"));
    }
}
