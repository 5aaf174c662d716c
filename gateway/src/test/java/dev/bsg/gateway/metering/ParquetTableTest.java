package dev.bsg.gateway.metering;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bsg.gateway.metering.ParquetTable.Column;
import dev.bsg.gateway.metering.ParquetTable.Kind;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Files the gateway writes, read back value by value by DuckDB, a Parquet reader we did not write. */
class ParquetTableTest {
    private static final List<Column> COLUMNS = List.of(
            new Column("id", Kind.INT64, false),
            new Column("name", Kind.STRING, true),
            new Column("small", Kind.INT32, false),
            new Column("flag", Kind.BOOLEAN, false),
            new Column("at", Kind.TIMESTAMP_MILLIS, false),
            new Column("cost", Kind.USD_NANOS, false),
            new Column("maybe", Kind.INT64, true),
            new Column("never", Kind.STRING, true));

    @TempDir
    Path dir;

    @Test
    void everyValueComesBackAsWrittenAcrossPages() throws Exception {
        List<Object[]> rows = new ArrayList<>();
        for (int i = 0; i < 25_003; i++) { // three pages of 10,000 rows, the last short
            rows.add(new Object[] {
                (long) i * 1_000_003L - 7,
                i % 7 == 0 ? null : "n\u00e9-" + i + (i % 11 == 0 ? "\u2603\"',\n" : ""),
                i % 2 == 0 ? -i : i,
                i % 3 == 0,
                1_764_000_000_000L + i,
                (long) i * 123_456_789L,
                i % 5 == 0 ? (Object) (long) -i : null,
                null
            });
        }
        Path file = dir.resolve("t.parquet");
        Files.write(file, new ParquetTable(COLUMNS).write(rows, "test"));

        try (Connection duck = DriverManager.getConnection("jdbc:duckdb:");
                Statement query = duck.createStatement();
                ResultSet read = query.executeQuery("SELECT * FROM read_parquet('" + file + "') ORDER BY id")) {
            int i = 0;
            while (read.next()) {
                Object[] row = rows.get(i);
                assertThat(read.getLong("id")).isEqualTo(row[0]);
                assertThat(read.getString("name")).isEqualTo(row[1]);
                assertThat(read.getInt("small")).isEqualTo(row[2]);
                assertThat(read.getBoolean("flag")).isEqualTo(row[3]);
                assertThat(read.getObject("at", Timestamp.class).toInstant().toEpochMilli())
                        .isEqualTo(row[4]);
                assertThat(read.getBigDecimal("cost")).isEqualByComparingTo(BigDecimal.valueOf((Long) row[5], 9));
                Object maybe = read.getObject("maybe");
                assertThat(maybe == null ? null : ((Number) maybe).longValue()).isEqualTo(row[6]);
                assertThat(read.getString("never")).isNull();
                i++;
            }
            assertThat(i).isEqualTo(rows.size());
        }
    }

    @Test
    void theSchemaCarriesTheLogicalTypesQueryEnginesExpect() throws Exception {
        Path file = dir.resolve("one.parquet");
        Files.write(
                file,
                new ParquetTable(COLUMNS)
                        .write(List.<Object[]>of(new Object[] {1L, "a", 1, true, 0L, 1L, null, null}), "test"));
        try (Connection duck = DriverManager.getConnection("jdbc:duckdb:");
                Statement query = duck.createStatement();
                ResultSet read = query.executeQuery(
                        "SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM read_parquet('" + file + "'))")) {
            StringBuilder types = new StringBuilder();
            while (read.next())
                types.append(read.getString(1))
                        .append(' ')
                        .append(read.getString(2))
                        .append(';');
            assertThat(types.toString())
                    .isEqualTo("id BIGINT;name VARCHAR;small INTEGER;flag BOOLEAN;at TIMESTAMP WITH TIME ZONE;"
                            + "cost DECIMAL(18,9);maybe BIGINT;never VARCHAR;");
        }
    }

    @Test
    void aMissingRequiredValueOrAnEmptyFileIsRefused() {
        ParquetTable table = new ParquetTable(COLUMNS);
        assertThatThrownBy(() ->
                        table.write(List.<Object[]>of(new Object[] {null, "a", 1, true, 0L, 1L, null, null}), "test"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("id");
        assertThatThrownBy(() -> table.write(List.of(), "test")).isInstanceOf(IllegalArgumentException.class);
    }
}
