package dev.bsg.gateway;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;

/**
 * A fresh database for one test class: a SQLite file in a temp directory, or a new database on the
 * PostgreSQL at {@code BSG_TEST_POSTGRES} (default 127.0.0.1:5432, user postgres). Without a
 * PostgreSQL the PostgreSQL tests are skipped, except under {@code CI=true}, where that fails.
 */
public final class TestDatabase implements AutoCloseable {
    private final String url;
    private final Runnable cleanup;

    private TestDatabase(String url, Runnable cleanup) {
        this.url = url;
        this.cleanup = cleanup;
    }

    public String url() {
        return url;
    }

    public static TestDatabase sqlite() {
        try {
            Path dir = Files.createTempDirectory("bsg-test-db");
            return new TestDatabase("jdbc:sqlite:" + dir.resolve("bsg.db"), () -> {});
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public static TestDatabase postgres() {
        String server = System.getenv()
                .getOrDefault("BSG_TEST_POSTGRES", "jdbc:postgresql://127.0.0.1:5432/postgres?user=postgres");
        String name =
                "bsg_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        try (Connection connection = DriverManager.getConnection(server);
                Statement statement = connection.createStatement()) {
            statement.execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
            String why =
                    "PostgreSQL is not reachable at " + server + " (" + e.getMessage() + "); scripts/test starts one";
            if ("true".equals(System.getenv("CI"))) fail(why);
            assumeTrue(false, why);
        }
        String url = server.replace("/postgres?", "/" + name + "?");
        return new TestDatabase(url, () -> {
            try (Connection connection = DriverManager.getConnection(server);
                    Statement statement = connection.createStatement()) {
                statement.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
            } catch (SQLException e) {
                // left behind; harmless, named bsg_test_*
            }
        });
    }

    @Override
    public void close() {
        cleanup.run();
    }
}
