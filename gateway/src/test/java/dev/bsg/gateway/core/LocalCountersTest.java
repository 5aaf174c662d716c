package dev.bsg.gateway.core;

class LocalCountersTest extends CountersContract {
    private final LocalCounters counters = new LocalCounters();

    @Override
    protected Counters counters() {
        return counters;
    }
}
