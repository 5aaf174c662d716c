package dev.bsg.gateway.metering;

import dev.bsg.gateway.TestDatabase;

class PostgresUsageExportTest extends UsageExportContract {
    @Override
    TestDatabase database() {
        return TestDatabase.postgres();
    }
}
