package dev.bsg.gateway.telemetry;

import dev.bsg.gateway.TestDatabase;

class PostgresProductivityTest extends ProductivityContract {
    @Override
    TestDatabase database() {
        return TestDatabase.postgres();
    }
}
