package dev.bsg.gateway.metering;

import dev.bsg.gateway.TestDatabase;

class SqliteUsageExportTest extends UsageExportContract {
    @Override
    TestDatabase database() {
        return TestDatabase.sqlite();
    }
}
