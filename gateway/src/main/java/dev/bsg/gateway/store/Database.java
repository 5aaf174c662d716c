package dev.bsg.gateway.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.bsg.gateway.settings.Settings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;

/** The connection pool and schema: SQLite by default, PostgreSQL in production, one set of migrations. */
public final class Database implements AutoCloseable {
    private final HikariDataSource dataSource;
    private final boolean postgres;
    private static final long FAIL_FAST_NANOS = 2_000_000_000L;
    private volatile long unavailableUntil;

    public Database(Settings.Database settings) {
        this.postgres = settings.isPostgres();
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(settings.url());
        config.setPoolName("bsg-db");
        if (settings.user() != null) config.setUsername(settings.user());
        if (settings.password() != null) config.setPassword(settings.password());
        if (postgres) {
            config.setMaximumPoolSize(settings.poolSize());
            // Error messages then carry no row values or statement parameters (e-mail addresses, session ids) into
            // logs.
            config.addDataSourceProperty("logServerErrorDetail", "false");
        } else {
            createParentDirectory(settings.url());
            config.setMaximumPoolSize(Math.min(settings.poolSize(), 4));
            config.setConnectionInitSql("PRAGMA busy_timeout = 10000");
            config.addDataSourceProperty("journal_mode", "WAL");
            config.addDataSourceProperty("synchronous", "NORMAL");
            config.addDataSourceProperty("foreign_keys", "true");
        }
        config.setInitializationFailTimeout(10_000);
        config.setConnectionTimeout(3_000);
        try {
            this.dataSource = new HikariDataSource(config);
        } catch (RuntimeException e) {
            throw new IllegalStateException(
                    "can't open the database at " + redact(settings.url()) + ": " + rootMessage(e)
                            + " — check database.url and that the database server is running",
                    e);
        }
        Flyway.configure()
                .dataSource(dataSource)
                .locations("classpath:db/migration")
                .load()
                .migrate();
    }

    public DataSource dataSource() {
        return dataSource;
    }

    public boolean isPostgres() {
        return postgres;
    }

    /**
     * A pooled connection. After the pool failed to get one (the database is away), callers fail at once for
     * a moment instead of each waiting out the connection timeout: requests get a fast 503.
     */
    public Connection connection() throws SQLException {
        long until = unavailableUntil;
        if (until != 0 && System.nanoTime() - until < 0) {
            throw new SQLTransientConnectionException(
                    "the database did not answer a moment ago; retrying shortly", "08001");
        }
        try {
            Connection connection = dataSource.getConnection();
            unavailableUntil = 0;
            return connection;
        } catch (SQLTransientConnectionException e) {
            unavailableUntil = System.nanoTime() + FAIL_FAST_NANOS;
            throw e;
        }
    }

    /** True when a trivial query answers within a second. */
    public boolean isHealthy() {
        try (Connection connection = dataSource.getConnection()) {
            return connection.isValid(1);
        } catch (SQLException e) {
            return false;
        }
    }

    @Override
    public void close() {
        dataSource.close();
    }

    private static void createParentDirectory(String url) {
        String file = url.substring("jdbc:sqlite:".length());
        int query = file.indexOf('?');
        if (query >= 0) file = file.substring(0, query);
        if (file.isEmpty() || file.equals(":memory:") || file.startsWith("file:")) return;
        Path parent = Path.of(file).toAbsolutePath().getParent();
        try {
            if (parent != null) Files.createDirectories(parent);
        } catch (IOException e) {
            throw new IllegalStateException("can't create the database directory " + parent + ": " + e.getMessage(), e);
        }
    }

    static String redact(String url) {
        return url.replaceAll("password=[^&]*", "password=***");
    }

    private static String rootMessage(Throwable e) {
        while (e.getCause() != null) e = e.getCause();
        return e.getMessage();
    }
}
