package dev.bsg.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/** Runs {@code bsg} in the test's JVM and captures what it prints. */
record CliRun(int exit, String out, String err) {

    static CliRun bsg(String... args) {
        return bsg(null, args);
    }

    /** {@code liveErr}, when given, receives stderr as it is written, so a test can react while the command runs. */
    static CliRun bsg(ByteArrayOutputStream liveErr, String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = liveErr != null ? liveErr : new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            int exit = Main.run(args);
            return new CliRun(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }
}
