package dev.bsg.bench;

import dev.bsg.simulator.BedrockSimulator;
import dev.bsg.simulator.Reply;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;

/**
 * The simulator as its own process for benchmarks, so the gateway's CPU can be measured apart from it.
 * Haiku models answer with 20 deltas 50 ms apart (one-second streams); Opus models with long streams
 * for {@code bench/streams} ({@code -Dbench.long.deltas}, 60 by default, {@code -Dbench.long.gap_ms}
 * apart, 1,000 by default); every other model with 20 deltas at once.
 */
public final class SimulatorMain {
    private SimulatorMain() {}

    /** Usage: SimulatorMain [port] [--tls PEM-OUT]: with --tls it serves HTTPS (HTTP/2 and 1.1) and writes its certificate to PEM-OUT. */
    public static void main(String[] args) throws Exception {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 19090;
        String text = "The quick brown fox jumps over the lazy dog while the gateway relays every token.";
        boolean tls = args.length > 2 && args[1].equals("--tls");
        BedrockSimulator simulator =
                tls ? BedrockSimulator.startTls("127.0.0.1", port, 1024) : BedrockSimulator.start("127.0.0.1", port);
        if (tls) Files.copy(simulator.certificate().pem(), Path.of(args[2]), StandardCopyOption.REPLACE_EXISTING);
        simulator
                .recording(false)
                .script("haiku", Reply.text(text).withDeltas(20).withPacing(Duration.ZERO, Duration.ofMillis(50)))
                .script(
                        "opus",
                        Reply.text(text)
                                .withDeltas(Integer.getInteger("bench.long.deltas", 60))
                                .withPacing(
                                        Duration.ZERO,
                                        Duration.ofMillis(Integer.getInteger("bench.long.gap_ms", 1000))))
                .defaultReply(Reply.text(text).withDeltas(20));
        System.out.println("simulator listening on " + simulator.endpoint());
        Runtime.getRuntime().addShutdownHook(new Thread(simulator::close));
        Thread.currentThread().join();
    }
}
