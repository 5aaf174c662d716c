package dev.bsg.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bsg.gateway.Gateway;
import dev.bsg.gateway.settings.SettingsLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code bsg admin} against a real gateway on a real port. */
class AdminCommandTest {
    static final String ADMIN = "cli-test-admin-key-0123456789";
    static Gateway gateway;

    @BeforeAll
    static void start() throws Exception {
        gateway = new Gateway(SettingsLoader.load(
                        null,
                        Map.of(
                                "BSG_SERVER__PORT",
                                "0",
                                "BSG_SERVER__MANAGEMENT_PORT",
                                "0",
                                "BSG_ADMIN__API_KEYS",
                                ADMIN,
                                "BSG_DATABASE__URL",
                                "jdbc:sqlite:"
                                        + Files.createTempDirectory("bsg-cli").resolve("t.db"),
                                "BSG_UPSTREAM__CREDENTIALS",
                                "bearer",
                                "BSG_UPSTREAM__BEARER_TOKEN",
                                "unused")))
                .start();
    }

    @AfterAll
    static void stop() throws Exception {
        gateway.close();
    }

    @Test
    void createListRevokeAndDisable() {
        String url = gateway.url();
        CliRun created = CliRun.bsg(
                "admin", "--url", url, "--token", ADMIN, "keys", "create", "--user", "ops@example.com", "--name", "ci");
        assertThat(created.exit()).isZero();
        assertThat(created.out().strip()).matches("SSOK_[0-9A-Za-z]{32}");
        CliRun listed = CliRun.bsg("admin", "--url", url, "--token", ADMIN, "keys", "list");
        assertThat(listed.out())
                .contains("ops@example.com")
                .contains("active")
                .doesNotContain(created.out().strip());
        String id = listed.out()
                .lines()
                .filter(l -> l.contains("ops@example.com"))
                .findFirst()
                .orElseThrow()
                .split("\\s+")[0];
        assertThat(CliRun.bsg("admin", "--url", url, "--token", ADMIN, "keys", "revoke", id)
                        .exit())
                .isZero();
        assertThat(CliRun.bsg("admin", "--url", url, "--token", ADMIN, "--json", "keys", "list")
                        .out())
                .contains("\"status\" : \"revoked\"");
        assertThat(CliRun.bsg("admin", "--url", url, "--token", ADMIN, "users", "disable", "ops@example.com")
                        .exit())
                .isZero();
        assertThat(CliRun.bsg("admin", "--url", url, "--token", ADMIN, "users", "list")
                        .out())
                .contains("ops@example.com")
                .contains("true");
    }

    @Test
    void sharedOptionsWorkAfterTheSubcommandAndKeysCarryTeamAndProject() {
        String url = gateway.url();
        CliRun created = CliRun.bsg(
                "admin",
                "keys",
                "create",
                "--user",
                "tagged@example.com",
                "--team",
                "ml",
                "--project",
                "search",
                "--url",
                url,
                "--token",
                ADMIN);
        assertThat(created.exit()).as(created.err()).isZero();
        CliRun listed = CliRun.bsg("admin", "keys", "list", "--url", url, "--token", ADMIN, "--json");
        assertThat(listed.exit()).as(listed.err()).isZero();
        assertThat(listed.out())
                .contains("tagged@example.com")
                .contains("\"team\" : \"ml\"")
                .contains("\"project\" : \"search\"");
    }

    /** Only the gateway is asked about: a machine without the organisation config is not a failure then. */
    @Test
    void doctorChecksAGatewayWithoutAnOrganisationConfig() throws Exception {
        String home = System.getProperty("user.home");
        System.setProperty(
                "user.home", Files.createTempDirectory("bsg-doctor-home").toString());
        try {
            CliRun doctor = CliRun.bsg("doctor", "--gateway", gateway.url());
            assertThat(doctor.exit()).as(doctor.out() + doctor.err()).isZero();
            assertThat(doctor.out()).contains("checking only the gateway");
            CliRun down = CliRun.bsg("doctor", "--gateway", "http://127.0.0.1:9");
            assertThat(down.out() + down.err()).contains("connection refused").doesNotContain(": null");
        } finally {
            System.setProperty("user.home", home);
        }
    }

    @Test
    void keygenWritesAPrivateKeyTheGatewayCanUseForEs256() throws Exception {
        Path key = Files.createTempDirectory("bsg-keygen").resolve("session.jwk");
        assertThat(CliRun.bsg("keygen", "--out", key.toString()).exit()).isZero();
        assertThat(Files.getPosixFilePermissions(key)).hasSize(2);
        var settings = SettingsLoader.load(null, Map.of("BSG_SESSION__JWT_KEY_FILE", key.toString()));
        assertThat(settings.session().jwtKey().isPrivate()).isTrue();
        CliRun again = CliRun.bsg("keygen", "--out", key.toString());
        assertThat(again.exit()).isEqualTo(1);
        assertThat(again.err()).contains("already exists");
    }

    @Test
    void errorsAreOneLineThatSaysWhatToDo() {
        CliRun noToken = CliRun.bsg("admin", "--url", gateway.url(), "keys", "list");
        if (System.getenv("BSG_ADMIN_TOKEN") == null) {
            assertThat(noToken.exit()).isEqualTo(1);
            assertThat(noToken.err()).startsWith("bsg: no admin key").contains("--token");
        }
        CliRun wrongToken =
                CliRun.bsg("admin", "--url", gateway.url(), "--token", "wrong-token-0123456789", "keys", "list");
        assertThat(wrongToken.exit()).isEqualTo(1);
        assertThat(wrongToken.err()).contains("check --token");
        CliRun down = CliRun.bsg("admin", "--url", "http://127.0.0.1:9", "--token", ADMIN, "keys", "list");
        assertThat(down.err()).contains("can't reach the gateway").contains("./bsg serve");
        assertThat(down.err().lines().count()).isEqualTo(1);
    }
}
