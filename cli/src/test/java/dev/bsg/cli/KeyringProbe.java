package dev.bsg.cli;

/** Run by {@link KeyringStorageTest} inside a D-Bus session with an unlocked keyring: store, read back, forget. */
public final class KeyringProbe {
    private KeyringProbe() {}

    public static void main(String[] args) {
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
}
