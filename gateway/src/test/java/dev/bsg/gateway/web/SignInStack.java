package dev.bsg.gateway.web;

import dev.bsg.gateway.TestDatabase;
import dev.bsg.gateway.TestGateway;
import java.util.HashMap;
import java.util.Map;

/** A gateway on SQLite whose sign-in goes to a real OpenID provider, for the browser tests. */
final class SignInStack implements AutoCloseable {
    final CompanyIdp idp = new CompanyIdp();
    final TestDatabase database = TestDatabase.sqlite();
    final TestGateway gw;

    SignInStack(Map<String, String> settings) {
        Map<String, String> all = new HashMap<>(idp.gatewaySettings());
        all.putAll(settings);
        gw = TestGateway.start(database.url(), all);
    }

    @Override
    public void close() throws Exception {
        try (CompanyIdp provider = idp;
                TestDatabase db = database;
                TestGateway gateway = gw) {
            // closed in reverse: the gateway, its database, then the provider
        }
    }
}
