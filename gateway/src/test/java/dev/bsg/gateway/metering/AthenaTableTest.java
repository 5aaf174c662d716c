package dev.bsg.gateway.metering;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bsg.gateway.metering.ParquetTable.Column;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The Athena table shipped in deploy/athena names every exported column, in order, with its type. */
class AthenaTableTest {
    private static final Map<ParquetTable.Kind, String> ATHENA_TYPES = Map.of(
            ParquetTable.Kind.STRING, "string",
            ParquetTable.Kind.INT32, "int",
            ParquetTable.Kind.INT64, "bigint",
            ParquetTable.Kind.BOOLEAN, "boolean",
            ParquetTable.Kind.TIMESTAMP_MILLIS, "timestamp",
            ParquetTable.Kind.USD_NANOS, "decimal(18,9)");

    @Test
    void theTableDefinitionMatchesTheExportedFiles() throws Exception {
        String ddl = Files.readString(root().resolve("deploy/athena/usage.sql"));
        String body = ddl.substring(ddl.indexOf("bsg_usage (") + 11, ddl.indexOf("\n)\nPARTITIONED BY"));
        List<String> declared = new ArrayList<>();
        Matcher column =
                Pattern.compile("(?m)^\\s+`?(\\w+)`?\\s+([\\w(),]+?),?$").matcher(body);
        while (column.find()) declared.add(column.group(1) + " " + column.group(2));
        List<String> exported = new ArrayList<>();
        for (Column each : UsageExport.COLUMNS) exported.add(each.name() + " " + ATHENA_TYPES.get(each.kind()));
        assertThat(declared).isEqualTo(exported);
        assertThat(ddl)
                .contains("PARTITIONED BY (dt string)")
                .contains("'projection.dt.format' = 'yyyy-MM-dd'")
                .contains("'storage.location.template' = 's3://BUCKET/PREFIX/dt=${dt}/'");
    }

    private static Path root() {
        Path dir = Path.of("").toAbsolutePath();
        while (!Files.exists(dir.resolve("deploy"))) dir = dir.getParent();
        return dir;
    }
}
