package dev.bsg.gateway.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bsg.gateway.TestDatabase;
import dev.bsg.gateway.TestGateway;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Instances rolled out together against one fresh PostgreSQL: the schema is migrated once, and all of them serve. */
class ConcurrentStartTest {
    @Test
    void threeInstancesStartingTogetherMigrateOnceAndAllServe() throws Exception {
        try (TestDatabase db = TestDatabase.postgres()) {
            List<CompletableFuture<TestGateway>> starting = new ArrayList<>();
            for (int i = 0; i < 3; i++)
                starting.add(CompletableFuture.supplyAsync(() -> TestGateway.start(db.url(), Map.of())));
            List<TestGateway> gateways = new ArrayList<>();
            try {
                for (CompletableFuture<TestGateway> gw : starting) gateways.add(gw.get(120, TimeUnit.SECONDS));
                for (TestGateway gw : gateways)
                    assertThat(gw.post(
                                            "/v1/messages",
                                            "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":8,"
                                                    + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")
                                    .statusCode())
                            .isEqualTo(200);
                try (Database database =
                        new Database(gateways.get(0).gateway.settings().database())) {
                    List<String> applied = new Sql(database)
                            .list(
                                    "SELECT version FROM flyway_schema_history WHERE success AND version IS NOT NULL",
                                    row -> row.getString(1));
                    assertThat(applied).doesNotHaveDuplicates().contains("1", "12");
                }
            } finally {
                for (TestGateway gw : gateways) gw.close();
            }
        }
    }
}
