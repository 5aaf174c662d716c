package dev.bsg.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordingFile;

/**
 * Where a gateway's CPU samples went, from a JFR recording: each sample charged to the part of the product or
 * library nearest its top frame, then the hottest frames by own and by inclusive share. Used by bench/profile.
 * Usage: CpuProfile RECORDING.jfr [rows, default 30]
 */
public final class CpuProfile {
    /** Package prefixes, most specific first: a sample belongs to the first its nearest-to-top frame matches. */
    private static final List<String[]> PARTS = List.of(
            new String[] {"SigV4 signer (AWS SDK)", "software.amazon.awssdk.http.auth"},
            new String[] {"AWS SDK, other", "software.amazon.awssdk"},
            new String[] {"metering", "dev.bsg.gateway.metering"},
            new String[] {"limits", "dev.bsg.gateway.limits"},
            new String[] {"authentication", "dev.bsg.gateway.auth"},
            new String[] {"translation (protocol)", "dev.bsg.protocol"},
            new String[] {"telemetry", "dev.bsg.gateway.telemetry"},
            new String[] {"store", "dev.bsg.gateway.store"},
            new String[] {"gateway, other", "dev.bsg"},
            new String[] {"JDK HttpClient", "jdk.internal.net.http"},
            new String[] {"Jetty", "org.eclipse.jetty"},
            new String[] {"Jackson", "com.fasterxml"},
            new String[] {"Micrometer", "io.micrometer"},
            new String[] {"SQLite / PostgreSQL driver", "org.sqlite"},
            new String[] {"SQLite / PostgreSQL driver", "org.postgresql"});

    private CpuProfile() {}

    public static void main(String[] args) throws IOException {
        int rows = args.length > 1 ? Integer.parseInt(args[1]) : 30;
        Map<String, Integer> parts = new HashMap<>();
        Map<String, Integer> self = new HashMap<>();
        Map<String, Integer> inclusive = new HashMap<>();
        int samples = 0;
        for (var event : RecordingFile.readAllEvents(Path.of(args[0]))) {
            if (!event.getEventType().getName().equals("jdk.ExecutionSample")) continue;
            RecordedStackTrace stack = event.getStackTrace();
            if (stack == null || stack.getFrames().isEmpty()) continue;
            samples++;
            List<RecordedFrame> frames = stack.getFrames();
            self.merge(name(frames.get(0)), 1, Integer::sum);
            Set<String> seen = new HashSet<>();
            for (RecordedFrame frame : frames) if (seen.add(name(frame))) inclusive.merge(name(frame), 1, Integer::sum);
            parts.merge(part(frames), 1, Integer::sum);
        }
        if (samples == 0) {
            System.out.println("no CPU samples in " + args[0] + " (was jdk.ExecutionSample enabled?)");
            return;
        }
        System.out.println(
                samples + " samples\n\n| share | part (nearest frame to the top that names one) |\n|---|---|");
        print(parts, samples, rows);
        System.out.println("\n| share | own time in |\n|---|---|");
        print(self, samples, rows);
        System.out.println("\n| share | inclusive |\n|---|---|");
        print(inclusive, samples, rows * 2);
    }

    private static String part(List<RecordedFrame> frames) {
        for (RecordedFrame frame : frames) {
            String type = frame.getMethod().getType().getName();
            for (String[] part : PARTS) if (type.startsWith(part[1])) return part[0];
        }
        return "JDK and other";
    }

    private static String name(RecordedFrame frame) {
        return frame.getMethod().getType().getName() + "." + frame.getMethod().getName();
    }

    private static void print(Map<String, Integer> counts, int samples, int rows) {
        counts.entrySet().stream()
                .sorted(Map.Entry.<String, Integer>comparingByValue().reversed())
                .limit(rows)
                .forEach(e -> System.out.printf("| %.1f %% | %s |%n", 100.0 * e.getValue() / samples, e.getKey()));
    }
}
