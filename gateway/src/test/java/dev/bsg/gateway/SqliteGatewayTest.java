package dev.bsg.gateway;

class SqliteGatewayTest extends GatewayContract {
    private final TestDatabase database = TestDatabase.sqlite();

    @Override
    TestDatabase database() {
        return database;
    }
}
