package dev.bsg.gateway.web;

import dev.bsg.gateway.TestDatabase;

class PostgresWebSignInTest extends WebSignInTest {
    @Override
    TestDatabase database() {
        return TestDatabase.postgres();
    }
}
