package dev.bsg.cli;

/** Run by {@link CredentialProcessIT} in the test's environment: whether the cached fast path answers these arguments. */
public final class FastPathProbe {
    private FastPathProbe() {}

    public static void main(String[] args) {
        boolean answered = CachedCredentials.tryAnswer(args);
        System.out.println("fast path answered " + answered);
    }
}
