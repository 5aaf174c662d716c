package dev.bsg.gateway.hostile;

import dev.bsg.gateway.TestDatabase;

class SqliteHostileInputTest extends HostileInputContract {
    @Override
    TestDatabase database() {
        return TestDatabase.sqlite();
    }
}
