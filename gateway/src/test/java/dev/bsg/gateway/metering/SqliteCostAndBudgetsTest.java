package dev.bsg.gateway.metering;

import dev.bsg.gateway.TestDatabase;

class SqliteCostAndBudgetsTest extends CostAndBudgetsContract {
    @Override
    TestDatabase database() {
        return TestDatabase.sqlite();
    }
}
