package dev.bsg.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bsg.protocol.translate.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "setup", mixinStandardHelpOptions = true, description = "Configure a tool to use the gateway.", subcommands = SetupCommand.ClaudeCode.class)
final class SetupCommand {

    @Command(name = "claude-code", mixinStandardHelpOptions = true,
            description = "Merge ANTHROPIC_BASE_URL and apiKeyHelper into ~/.claude/settings.json (backed up first; safe to run again).")
    static final class ClaudeCode implements Callable<Integer> {
        @Option(names = "--gateway", required = true, description = "The gateway's URL.")
        String gateway;

        @Option(names = "--settings", description = "The settings file (default: ~/.claude/settings.json).")
        Path settings;

        @Option(names = "--bsg", description = "The command Claude Code runs for a token (default: this bsg launcher).")
        String bsg;

        @Override
        public Integer call() throws IOException {
            Path file = settings != null ? settings : Path.of(System.getProperty("user.home"), ".claude", "settings.json");
            String url = gateway.replaceAll("/+$", "");
            String launcher = bsg != null ? bsg : System.getProperty("bsg.launcher", "bsg");
            ObjectNode root;
            if (Files.exists(file)) {
                JsonNode existing;
                try {
                    existing = Json.MAPPER.readTree(file.toFile());
                } catch (IOException e) {
                    throw new CliException(file + " is not valid JSON (" + e.getMessage().lines().findFirst().orElse("") + "); fix or move it, then run this again");
                }
                root = existing instanceof ObjectNode object ? object : Json.MAPPER.createObjectNode();
            } else {
                root = Json.MAPPER.createObjectNode();
            }
            ObjectNode env = root.has("env") && root.get("env").isObject() ? (ObjectNode) root.get("env") : root.putObject("env");
            String helper = launcher + " token --gateway " + url;
            boolean unchanged = url.equals(env.path("ANTHROPIC_BASE_URL").asText()) && helper.equals(root.path("apiKeyHelper").asText());
            if (unchanged) {
                System.err.println("bsg: " + file + " already points Claude Code at " + url);
                return 0;
            }
            if (Files.exists(file)) {
                Path backup = file.resolveSibling(file.getFileName() + ".bak-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
                Files.copy(file, backup);
                System.err.println("bsg: backed up " + file + " to " + backup);
            }
            env.put("ANTHROPIC_BASE_URL", url);
            root.put("apiKeyHelper", helper);
            Files.createDirectories(file.getParent());
            Files.write(file, Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(root));
            System.err.println("bsg: Claude Code now uses " + url + " with your gateway sign-in (bsg login --gateway " + url + ")");
            return 0;
        }
    }
}
