package dev.bsg.gateway.store;

import dev.bsg.gateway.TestRedis;
import dev.bsg.gateway.core.Counters;
import dev.bsg.gateway.core.CountersContract;
import org.junit.jupiter.api.AfterEach;

/** The Lua scripts behind the shared limits, run in a real Redis against the same contract as the local counters. */
class RedisCountersTest extends CountersContract {
    private RedisState redis;

    @Override
    protected Counters counters() {
        if (redis == null) redis = new RedisState(TestRedis.url());
        return redis;
    }

    @AfterEach
    void close() {
        if (redis != null) redis.close();
    }
}
