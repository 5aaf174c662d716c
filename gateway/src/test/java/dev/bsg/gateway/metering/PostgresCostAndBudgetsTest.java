package dev.bsg.gateway.metering;

import dev.bsg.gateway.TestDatabase;

class PostgresCostAndBudgetsTest extends CostAndBudgetsContract {
    @Override
    TestDatabase database() {
        return TestDatabase.postgres();
    }
}
