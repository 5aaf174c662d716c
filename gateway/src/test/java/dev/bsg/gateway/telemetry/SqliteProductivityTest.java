package dev.bsg.gateway.telemetry;

import dev.bsg.gateway.TestDatabase;

class SqliteProductivityTest extends ProductivityContract {
    @Override
    TestDatabase database() {
        return TestDatabase.sqlite();
    }
}
