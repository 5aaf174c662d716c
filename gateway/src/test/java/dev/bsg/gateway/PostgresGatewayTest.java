package dev.bsg.gateway;

class PostgresGatewayTest extends GatewayContract {
    private TestDatabase database;

    @Override
    TestDatabase database() {
        if (database == null) database = TestDatabase.postgres();
        return database;
    }
}
