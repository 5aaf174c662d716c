package dev.bsg.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * A full-screen terminal program driven as a person would: run in tmux (on a private socket, so a
 * developer's own tmux is untouched), read by capturing the pane, answered with keys.
 */
final class TerminalSession implements AutoCloseable {
    private final String socket = "bsg-test-" + UUID.randomUUID().toString().substring(0, 8);

    private TerminalSession() {}

    /** tmux, and for programs that need it, unshare as root; missing, the test is skipped, or fails under CI=true. */
    static void require(boolean privateMounts) {
        List<String> missing = new ArrayList<>();
        if (!onPath("tmux")) missing.add("tmux (scripts/test installs it)");
        if (privateMounts && !onPath("unshare")) missing.add("unshare (util-linux)");
        if (privateMounts && !"root".equals(System.getProperty("user.name")))
            missing.add("root, for a private mount namespace");
        if (missing.isEmpty()) return;
        String why = "this test needs " + String.join(", ", missing);
        if ("true".equals(System.getenv("CI"))) Assertions.fail(why);
        Assumptions.assumeTrue(false, why);
    }

    private static boolean onPath(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":"))
            if (Files.isExecutable(Path.of(dir, tool))) return true;
        return false;
    }

    static TerminalSession start(Path workingDirectory, String command) throws IOException, InterruptedException {
        TerminalSession session = new TerminalSession();
        session.tmux(
                "new-session", "-d", "-s", "main", "-x", "160", "-y", "45", "-c", workingDirectory.toString(), command);
        // What a program printed as it ended stays on the screen, for the failure message.
        session.tmux("set-option", "-t", "main", "remain-on-exit", "on");
        return session;
    }

    String screen() throws IOException, InterruptedException {
        return tmux("capture-pane", "-p", "-t", "main");
    }

    /** Waits until the screen shows {@code text}; fails with what it shows instead. */
    String waitFor(String text, int seconds) throws IOException, InterruptedException {
        String screen = "";
        for (long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
                System.nanoTime() < deadline;
                Thread.sleep(200)) {
            try {
                screen = screen();
            } catch (IOException e) {
                throw new AssertionError(
                        "the program ended before the terminal showed \"" + text + "\"; it last showed:\n" + screen, e);
            }
            if (screen.contains(text)) return screen;
        }
        throw new AssertionError("the terminal never showed \"" + text + "\"; it shows:\n" + screen);
    }

    /** Keys by tmux name (Enter, Up, Escape) or literal text, each given a moment to be taken in. */
    TerminalSession keys(String... keys) throws IOException, InterruptedException {
        for (String key : keys) {
            tmux("send-keys", "-t", "main", key);
            Thread.sleep(300);
        }
        return this;
    }

    private String tmux(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("tmux", "-L", socket));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(10, TimeUnit.SECONDS) || process.exitValue() != 0)
            throw new IOException("tmux " + args[0] + " failed: " + out);
        return out;
    }

    @Override
    public void close() throws IOException, InterruptedException {
        new ProcessBuilder("tmux", "-L", socket, "kill-server")
                .redirectErrorStream(true)
                .start()
                .waitFor(10, TimeUnit.SECONDS);
    }
}
