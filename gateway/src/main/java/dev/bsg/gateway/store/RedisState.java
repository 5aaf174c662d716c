package dev.bsg.gateway.store;

import dev.bsg.gateway.core.Counters;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Shared state in Redis: counters changed by Lua scripts (one round trip, atomic), events by pub/sub. */
public final class RedisState implements SharedState, Counters {
    private static final Logger LOG = LoggerFactory.getLogger(RedisState.class);
    private static final String CHANNEL = "bsg:events";
    private static final String PREFIX = "bsg:";
    private static final String TRY_ADD = """
            for i = 1, #KEYS do
              local value = tonumber(redis.call('GET', KEYS[i]) or '0')
              if value + tonumber(ARGV[i * 2]) > tonumber(ARGV[i * 2 + 1]) then return i end
            end
            for i = 1, #KEYS do
              local increment = tonumber(ARGV[i * 2])
              if increment ~= 0 then
                redis.call('INCRBY', KEYS[i], increment)
                redis.call('EXPIRE', KEYS[i], ARGV[1])
              end
            end
            return 0""";
    private static final String ADD = """
            for i = 1, #KEYS do
              redis.call('INCRBY', KEYS[i], ARGV[1])
              redis.call('EXPIRE', KEYS[i], ARGV[2])
            end
            return 0""";

    private static final String ADD_EACH = """
            for i = 1, #KEYS do
              local value = redis.call('INCRBY', KEYS[i], ARGV[i])
              if value <= 0 then redis.call('DEL', KEYS[i]) else redis.call('EXPIRE', KEYS[i], ARGV[#KEYS + 1]) end
            end
            return 0""";

    private final RedisClient client;
    private final StatefulRedisConnection<String, String> connection;
    private final RedisCommands<String, String> redis;
    private final StatefulRedisPubSubConnection<String, String> events;
    private final List<Consumer<String>> listeners = new CopyOnWriteArrayList<>();

    public RedisState(String url) {
        this.client = RedisClient.create(url);
        client.setOptions(ClientOptions.builder()
                .timeoutOptions(TimeoutOptions.enabled(Duration.ofSeconds(2)))
                .build());
        try {
            this.connection = client.connect();
            this.events = client.connectPubSub();
        } catch (RuntimeException e) {
            client.shutdown();
            throw new IllegalStateException(
                    "can't reach Redis at " + url.replaceAll("//[^@/]*@", "//***@") + ": " + e.getMessage()
                            + " — check cache.redis_url and that Redis is running",
                    e);
        }
        this.redis = connection.sync();
        events.addListener(new RedisPubSubAdapter<>() {
            @Override
            public void message(String channel, String message) {
                for (Consumer<String> listener : listeners) {
                    try {
                        listener.accept(message);
                    } catch (RuntimeException e) {
                        LOG.warn("event {} could not be applied: {}", message, e.getMessage());
                    }
                }
            }
        });
        events.sync().subscribe(CHANNEL);
    }

    @Override
    public Counters counters() {
        return this;
    }

    @Override
    public void broadcast(String event) {
        try {
            redis.publish(CHANNEL, event);
        } catch (RuntimeException e) {
            LOG.warn(
                    "event {} could not reach other instances through Redis ({}); their caches expire it within 30 s",
                    event,
                    e.getMessage());
            for (Consumer<String> listener : listeners) listener.accept(event);
        }
    }

    @Override
    public void onEvent(Consumer<String> listener) {
        listeners.add(listener);
    }

    @Override
    public String problem() {
        try {
            redis.ping();
            return null;
        } catch (RuntimeException e) {
            return "Redis: " + e.getMessage();
        }
    }

    @Override
    public int tryAdd(String[] keys, long[] increments, long[] limits, Duration ttl) {
        String[] args = new String[1 + 2 * keys.length];
        args[0] = Long.toString(ttl.toSeconds());
        for (int i = 0; i < keys.length; i++) {
            args[1 + 2 * i] = Long.toString(increments[i]);
            args[2 + 2 * i] = Long.toString(limits[i]);
        }
        Long refused = redis.eval(TRY_ADD, ScriptOutputType.INTEGER, prefixed(keys), args);
        return refused == null || refused == 0 ? -1 : (int) (refused - 1);
    }

    @Override
    public void add(String[] keys, long delta, Duration ttl) {
        redis.eval(ADD, ScriptOutputType.INTEGER, prefixed(keys), Long.toString(delta), Long.toString(ttl.toSeconds()));
    }

    @Override
    public void addEach(String[] keys, long[] deltas, Duration ttl) {
        String[] args = new String[keys.length + 1];
        for (int i = 0; i < keys.length; i++) args[i] = Long.toString(deltas[i]);
        args[keys.length] = Long.toString(ttl.toSeconds());
        redis.eval(ADD_EACH, ScriptOutputType.INTEGER, prefixed(keys), args);
    }

    @Override
    public long get(String key) {
        String value = redis.get(PREFIX + key);
        return value == null ? -1 : Long.parseLong(value);
    }

    private static String[] prefixed(String[] keys) {
        String[] out = new String[keys.length];
        for (int i = 0; i < keys.length; i++) out[i] = PREFIX + keys[i];
        return out;
    }

    @Override
    public void close() {
        events.close();
        connection.close();
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
}
