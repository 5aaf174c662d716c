package dev.bsg.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/** The Claude Code CLI scripts/test installs ($BSG_CLAUDE_BIN overrides); missing, the test is skipped, or fails under CI=true. */
final class ClaudeCodeBinary {
    private ClaudeCodeBinary() {}

    static Path find() {
        Path root = Path.of(System.getenv().getOrDefault("BSG_REPO_ROOT", "..")).toAbsolutePath();
        Path claude = System.getenv("BSG_CLAUDE_BIN") != null
                ? Path.of(System.getenv("BSG_CLAUDE_BIN"))
                : root.resolve(".tools/node_modules/.bin/claude");
        if (!Files.isExecutable(claude)) {
            String why = "Claude Code CLI not found at " + claude + "; scripts/test installs it";
            if ("true".equals(System.getenv("CI"))) Assertions.fail(why);
            Assumptions.assumeTrue(false, why);
        }
        return claude;
    }
}
