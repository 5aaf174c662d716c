package dev.bsg.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What the person at the keyboard must see while a sign-in waits for them. The AWS CLI captures a
 * credential process's stderr and shows it only on failure, so a sign-in link or device code is also
 * written to the controlling terminal when stderr is not that terminal.
 */
final class Terminal {
    private Terminal() {}

    static void tell(String message) {
        System.err.println(message);
        System.err.flush();
        if (stderrIsTerminal()) return;
        try (OutputStream tty = Files.newOutputStream(Path.of("/dev/tty"))) {
            tty.write((message + System.lineSeparator()).getBytes(StandardCharsets.UTF_8));
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            // no controlling terminal (a service, a test, Windows): stderr is all there is
        }
    }

    /** Where it can be told (Linux's /proc); elsewhere stderr is taken to be the terminal, so nothing is printed twice. */
    private static boolean stderrIsTerminal() {
        try {
            String target = Files.readSymbolicLink(Path.of("/proc/self/fd/2")).toString();
            return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty");
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return true;
        }
    }
}
