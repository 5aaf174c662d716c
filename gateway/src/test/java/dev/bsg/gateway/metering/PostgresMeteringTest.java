package dev.bsg.gateway.metering;

import dev.bsg.gateway.TestDatabase;

class PostgresMeteringTest extends MeteringContract {
    @Override
    TestDatabase database() {
        return TestDatabase.postgres();
    }
}
