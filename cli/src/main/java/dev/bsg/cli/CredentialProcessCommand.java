package dev.bsg.cli;

import dev.bsg.identity.OidcClient;
import dev.bsg.protocol.translate.Json;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.Date;
import java.util.concurrent.Callable;
import java.util.function.Predicate;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code bsg credential-process}: AWS {@code credential_process} JSON on stdout and nothing else.
 * Cached credentials are reused until 60 s before they expire; then the IdP refresh token renews them
 * without a browser; only then does the person sign in again. Concurrent runs for one profile wait for
 * the first one's sign-in and reuse its result, so two AWS CLI processes never open two browsers.
 */
@Command(
        name = "credential-process",
        mixinStandardHelpOptions = true,
        description =
                "Temporary AWS credentials for Bedrock, signed in through the company identity provider (for AWS credential_process).")
final class CredentialProcessCommand implements Callable<Integer> {
    static final long REUSE_MARGIN_SECONDS = 60;

    @Option(
            names = "--profile",
            defaultValue = "${env:BSG_PROFILE:-default}",
            description = "Profile in the organisation config (default: $BSG_PROFILE or default).")
    String profile;

    @Option(names = "--clear-cache", description = "Forget the cached credentials and tokens of this profile.")
    boolean clearCache;

    @Option(
            names = "--device",
            description =
                    "Sign in without a browser here: print a code to enter at the identity provider from any device.")
    boolean device;

    @Option(
            names = "--get-monitoring-token",
            description = "Print the ID token instead (signing in when needed), for telemetry.")
    boolean monitoringToken;

    @Override
    public Integer call() throws IOException {
        if (clearCache) {
            AwsCredentialCache.forProfile(profile).clear();
            System.err.println("bsg: cleared the cached credentials of profile '" + profile + "'");
            return 0;
        }
        if (monitoringToken) {
            System.out.println(current(profile, c -> c.idTokenValidFor(REUSE_MARGIN_SECONDS), device)
                    .idToken());
            return 0;
        }
        AwsCredentialCache.Cached cached = current(profile, c -> c.credentialsValidFor(REUSE_MARGIN_SECONDS), device);
        System.out.println("{\"Version\":1,\"AccessKeyId\":" + quote(cached.accessKeyId()) + ",\"SecretAccessKey\":"
                + quote(cached.secretAccessKey()) + ",\"SessionToken\":" + quote(cached.sessionToken())
                + ",\"Expiration\":" + quote(cached.expiration().toString()) + "}");
        return 0;
    }

    /**
     * What the cache holds when it is {@code good} enough; otherwise a renewal through the IdP refresh
     * token, else a sign-in (in the browser, or by device code with {@code device}), then federation,
     * all written back to the cache.
     */
    static AwsCredentialCache.Cached current(String profile, Predicate<AwsCredentialCache.Cached> good, boolean device)
            throws IOException {
        AwsCredentialCache cache = AwsCredentialCache.forProfile(profile);
        AwsCredentialCache.Cached cached = cache.read();
        if (cached != null && good.test(cached)) return cached;
        AwsProfile config = AwsProfile.load(profile);
        try (FileLock ignored = lock(cache.path())) {
            cached = cache.read(); // another bsg may have signed in while this one waited
            if (cached != null && good.test(cached)) return cached;
            IdentityProviderSignIn signIn = new IdentityProviderSignIn(config);
            OidcClient.Identity identity =
                    cached == null || cached.refreshToken() == null ? null : signIn.refresh(cached.refreshToken());
            AwsFederation.Credentials credentials = null;
            if (identity != null) {
                try {
                    credentials = AwsFederation.exchange(config, identity.idToken(), identity.email());
                } catch (CliException rejected) {
                    // AWS no longer takes what the cache led to: start over with a sign-in rather than fail on every
                    // call.
                    System.err.println("bsg: AWS rejected the cached sign-in (" + rejected.getMessage()
                            + "); cleared it, signing in again");
                    cache.clear();
                    cached = null;
                    identity = null;
                }
            }
            if (identity == null) {
                identity = signIn.signIn(device);
                credentials = AwsFederation.exchange(config, identity.idToken(), identity.email());
            }
            String refreshToken = identity.idpRefreshToken() != null
                    ? identity.idpRefreshToken()
                    : cached == null ? null : cached.refreshToken();
            AwsCredentialCache.Cached fresh = new AwsCredentialCache.Cached(
                    credentials.accessKeyId(),
                    credentials.secretAccessKey(),
                    credentials.sessionToken(),
                    credentials.expiration(),
                    identity.idToken(),
                    expiry(identity),
                    refreshToken);
            cache.write(fresh, config.credentialStorage().equals("keyring"));
            if (!good.test(fresh))
                throw new CliException(
                        "the new credentials or ID token expire within a minute; check session_duration in "
                                + config.source() + " and the identity provider's token lifetime");
            return fresh;
        }
    }

    private static Instant expiry(OidcClient.Identity identity) {
        Object exp = identity.claims().get("exp");
        if (exp instanceof Date date) return date.toInstant();
        if (exp instanceof Number seconds) return Instant.ofEpochSecond(seconds.longValue());
        return null;
    }

    /** One sign-in per profile at a time, across processes; the others wait here, saying so. */
    private static FileLock lock(Path cacheFile) {
        Path lockFile = cacheFile.resolveSibling(cacheFile.getFileName() + ".lock");
        try {
            Files.createDirectories(lockFile.getParent());
            FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock lock = channel.tryLock();
            if (lock == null) {
                System.err.println("bsg: another bsg is signing in to this profile; waiting for it");
                lock = channel.lock();
            }
            return lock;
        } catch (IOException e) {
            throw new CliException("can't lock " + lockFile + ": " + e.getMessage());
        }
    }

    private static String quote(String value) {
        return Json.quote(value);
    }
}
