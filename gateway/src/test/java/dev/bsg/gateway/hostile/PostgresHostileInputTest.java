package dev.bsg.gateway.hostile;

import dev.bsg.gateway.TestDatabase;

class PostgresHostileInputTest extends HostileInputContract {
    @Override
    TestDatabase database() {
        return TestDatabase.postgres();
    }
}
