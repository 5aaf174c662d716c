package dev.bsg.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code bsg token}'s cached path, in a process of its own as Claude Code runs it: it answers from the
 * credentials {@link CredentialFile} wrote while the token is good, and leaves everything else to the
 * full command.
 */
class CachedSessionIT {
    static String probe(Path configHome, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(
                ProcessHandle.current().info().command().orElse("java"),
                "-cp",
                System.getProperty("java.class.path"),
                "dev.bsg.cli.SessionFastPathProbe",
                "token"));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().put("XDG_CONFIG_HOME", configHome.toString());
        builder.environment().remove("DBUS_SESSION_BUS_ADDRESS");
        Process process = builder.start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor()).isZero();
        return out;
    }

    @Test
    void aGoodTokenIsAnsweredFromTheFileAndEverythingElseGoesToTheFullCommand() throws Exception {
        Path home = Files.createTempDirectory("bsg-token");
        CredentialFile file = new CredentialFile(home.resolve("bsg").resolve("credentials.json"), null);
        long inAnHour = System.currentTimeMillis() / 1000 + 3600;
        file.write(new CredentialFile.Entry(
                "https://other.example.com", "eyJother.token.sig", inAnHour, "bsgrt_other", "o@example.com"));
        file.write(new CredentialFile.Entry(
                "https://gw.example.com", "eyJgood.token.sig", inAnHour, "bsgrt_r", "a@example.com"));
        assertThat(probe(home)).contains("eyJgood.token.sig").contains("fast path answered true");
        assertThat(probe(home, "--gateway", "https://other.example.com/"))
                .contains("eyJother.token.sig")
                .contains("fast path answered true");
        assertThat(probe(home, "--gateway=https://nowhere.example.com")).contains("fast path answered false");
        assertThat(probe(home, "--help")).contains("fast path answered false");

        file.write(new CredentialFile.Entry(
                "https://gw.example.com",
                "eyJstale.token.sig",
                System.currentTimeMillis() / 1000 + 30,
                "bsgrt_r",
                "a@example.com"));
        assertThat(probe(home))
                .as("a token about to expire is refreshed by the full command")
                .contains("fast path answered false")
                .doesNotContain("eyJstale");

        Files.writeString(
                file.path(), Files.readString(file.path()).replace("\"access_token\"", "\"in_keyring\" : true, \"x\""));
        assertThat(probe(home, "--gateway", "https://other.example.com"))
                .as("no Secret Service here")
                .contains("fast path answered false");
        assertThat(probe(Files.createTempDirectory("bsg-token-empty"))).contains("fast path answered false");
    }
}
