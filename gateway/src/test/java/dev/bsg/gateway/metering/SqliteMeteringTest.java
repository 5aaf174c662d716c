package dev.bsg.gateway.metering;

import dev.bsg.gateway.TestDatabase;

class SqliteMeteringTest extends MeteringContract {
    @Override
    TestDatabase database() {
        return TestDatabase.sqlite();
    }
}
