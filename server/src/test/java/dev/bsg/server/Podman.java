package dev.bsg.server;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Debian's podman, driven as an operator would. Some sandboxes (this project's CI among them) refuse crun's
 * default limits and its cgroup set-up; there {@link #runOptions} adds runc and limits within the sandbox's own,
 * found once by trying, and says so on stderr. Skipped without podman, except under CI=true.
 */
final class Podman {
    private static List<String> runOptions;

    private Podman() {}

    static void require() {
        if (Files.isExecutable(Path.of("/usr/bin/podman"))) return;
        String why = "podman is not installed (apt-get install podman runc; scripts/test does)";
        if ("true".equals(System.getenv("CI"))) fail(why);
        assumeTrue(false, why);
    }

    record Result(int exit, String output) {}

    static Result podman(String... args) {
        List<String> command = new ArrayList<>(List.of("podman"));
        command.addAll(List.of(args));
        try {
            Process process =
                    new ProcessBuilder(command).redirectErrorStream(true).start();
            byte[] output = process.getInputStream().readAllBytes();
            if (!process.waitFor(5, TimeUnit.MINUTES)) process.destroyForcibly();
            return new Result(process.exitValue(), new String(output, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new AssertionError("podman could not be run: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    static Result ok(String... args) {
        Result result = podman(args);
        if (result.exit() != 0) {
            throw new AssertionError("podman " + String.join(" ", args) + " failed:\n" + result.output());
        }
        return result;
    }

    /** Starts a detached container: {@code podman run -d [options] IMAGE ARGS}; returns its id. */
    static String start(List<String> options, String image, String... args) {
        List<String> command = new ArrayList<>(List.of("run", "-d"));
        command.addAll(runOptions());
        command.addAll(options);
        command.add(image);
        command.addAll(List.of(args));
        return ok(command.toArray(String[]::new))
                .output()
                .lines()
                .reduce((a, b) -> b)
                .orElseThrow();
    }

    /** What this machine needs to run a container: nothing, or runc with the sandbox's own limits. */
    static synchronized List<String> runOptions() {
        if (runOptions != null) return runOptions;
        if (podman(
                                "run",
                                "--rm",
                                "--network",
                                "none",
                                "--entrypoint",
                                "/opt/bsg/runtime/bin/java",
                                ContainerImageIT.TAG,
                                "-version")
                        .exit()
                == 0) {
            runOptions = List.of();
            return runOptions;
        }
        long files = hardLimit("Max open files", 4096);
        List<String> sandboxed = List.of(
                "--runtime", "runc", "--ulimit", "nofile=" + files + ":" + files, "--ulimit", "nproc=4096:4096");
        System.err.println("podman: this machine refuses crun's defaults; running with " + sandboxed);
        runOptions = sandboxed;
        return runOptions;
    }

    private static long hardLimit(String name, long fallback) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/limits"))) {
                if (line.startsWith(name)) {
                    String hard = line.substring(name.length()).trim().split("\\s+")[1];
                    return "unlimited".equals(hard) ? fallback : Long.parseLong(hard);
                }
            }
        } catch (IOException | RuntimeException e) {
            // fall back
        }
        return fallback;
    }
}
