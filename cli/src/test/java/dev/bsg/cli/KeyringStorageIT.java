package dev.bsg.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Tokens go to the OS keyring when there is one: a real Secret Service (gnome-keyring in its own
 * D-Bus session) holds them, and the credentials file only says where they are.
 */
class KeyringStorageIT {
    static String run(Path home, String... probeArgs) throws Exception {
        return runWith(home, "", probeArgs);
    }

    static String runWith(Path home, String jvmOptions, String... probeArgs) throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        String command =
                "export $(printf 'test-keyring-password' | gnome-keyring-daemon --replace --unlock --components=secrets 2>/dev/null | xargs); "
                        + "exec \"$0\" -Duser.home=\"$HOME\" " + jvmOptions + " -cp \"$1\" dev.bsg.cli.KeyringProbe "
                        + String.join(" ", probeArgs);
        ProcessBuilder builder = new ProcessBuilder(
                "dbus-run-session", "--", "sh", "-c", command, java, System.getProperty("java.class.path"));
        builder.environment().put("HOME", home.toString());
        builder.environment().remove("XDG_CONFIG_HOME");
        builder.environment().remove("XDG_CACHE_HOME");
        builder.environment().remove("BSG_CREDENTIAL_STORAGE");
        builder.redirectError(home.resolve("stderr.txt").toFile());
        Process process = builder.start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue())
                .as(out + Files.readString(home.resolve("stderr.txt")))
                .isZero();
        return out;
    }

    static void requireSecretService() {
        for (String tool : new String[] {"dbus-run-session", "gnome-keyring-daemon", "secret-tool"}) {
            boolean found = false;
            for (String dir : System.getenv().getOrDefault("PATH", "").split(":"))
                found |= Files.isExecutable(Path.of(dir, tool));
            String why = tool + " is not installed; scripts/test installs it (dbus, gnome-keyring, libsecret-tools)";
            if (!found && "true".equals(System.getenv("CI"))) fail(why);
            assumeTrue(found, why);
        }
    }

    @Test
    void awsCredentialsKeepTheirSecretsInTheKeyringAndCredentialProcessReadsThemThere() throws Exception {
        requireSecretService();
        Path home = Files.createTempDirectory("bsg-keyring-aws");
        String out = run(home, "aws", "k3y");
        assertThat(out)
                .contains("fast path answered false")
                .contains("exit 0")
                .contains(
                        "\"AccessKeyId\":\"ASIAKEYRING000000001\",\"SecretAccessKey\":\"secret-k3y\",\"SessionToken\":\"token-k3y\"");
        String stored = Files.readString(home.resolve(".cache/bsg/aws-kr.json"));
        assertThat(stored)
                .contains("\"in_keyring\":true")
                .contains("ASIAKEYRING000000001")
                .doesNotContain("k3y");
    }

    @Test
    void tokensLiveInTheKeyringAndTheFileOnlyPointsThere() throws Exception {
        requireSecretService();
        Path home = Files.createTempDirectory("bsg-keyring-home");
        String out = run(home, "s3cret", "remove");
        assertThat(out).contains("read access-s3cret refresh-s3cret").contains("removed true");
        Path file = home.resolve(".config/bsg/credentials.json");
        String stored = Files.readString(file);
        assertThat(stored).doesNotContain("s3cret").doesNotContain("access_token");

        String kept = run(home, "again");
        assertThat(kept).contains("read access-again refresh-again");
        assertThat(Files.readString(file)).contains("\"in_keyring\" : true").doesNotContain("access-again");
    }

    @Test
    void aSecretLongerThanAnEntryHoldsIsSplitAndItsPiecesFollowItsLength() throws Exception {
        requireSecretService();
        String out = run(Files.createTempDirectory("bsg-keyring-split"), "split");
        assertThat(out.lines())
                .containsExactly(
                        "put true",
                        "head bsg-split:3:G pieces #1#2#3",
                        "whole true",
                        "put true",
                        "head bsg-split:2:G pieces #1#2 whole true",
                        "put true",
                        "head short pieces none",
                        "put true",
                        "removed true pieces none");
    }

    @Test
    void awsCredentialsSplitOverSeveralEntriesStillAnswerCredentialProcess() throws Exception {
        requireSecretService();
        Path home = Files.createTempDirectory("bsg-keyring-aws-split");
        String out = runWith(home, "-Dbsg.keyring.max-entry=40", "aws", "split");
        assertThat(out)
                .containsPattern("head bsg-split:[2-9]")
                .contains("exit 0")
                .contains("\"SecretAccessKey\":\"secret-split\",\"SessionToken\":\"token-split\"");
        assertThat(Files.readString(home.resolve(".cache/bsg/aws-kr.json")))
                .contains("\"in_keyring\":true")
                .doesNotContain("secret-split");
    }
}
