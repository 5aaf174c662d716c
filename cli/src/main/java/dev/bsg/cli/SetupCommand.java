package dev.bsg.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bsg.protocol.translate.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
        name = "setup",
        mixinStandardHelpOptions = true,
        description = "Configure a tool to use the gateway or direct Bedrock access.",
        subcommands = {SetupCommand.ClaudeCode.class, SetupCommand.Bedrock.class})
final class SetupCommand {

    @Command(
            name = "claude-code",
            mixinStandardHelpOptions = true,
            description =
                    "Merge ANTHROPIC_BASE_URL and apiKeyHelper into ~/.claude/settings.json (backed up first; safe to run again).")
    static final class ClaudeCode implements Callable<Integer> {
        @Option(names = "--gateway", required = true, description = "The gateway's URL.")
        String gateway;

        @Option(names = "--settings", description = "The settings file (default: ~/.claude/settings.json).")
        Path settings;

        @Option(names = "--bsg", description = "The command Claude Code runs for a token (default: this bsg launcher).")
        String bsg;

        @Override
        public Integer call() throws IOException {
            Path file = settings != null ? settings : defaultClaudeSettings();
            String url = gateway.replaceAll("/+$", "");
            String helper = launcher(bsg) + " token --gateway " + url;
            ObjectNode root = readSettings(file);
            ObjectNode env = env(root);
            if (url.equals(env.path("ANTHROPIC_BASE_URL").asText())
                    && helper.equals(root.path("apiKeyHelper").asText())) {
                System.err.println("bsg: " + file + " already points Claude Code at " + url);
                return 0;
            }
            env.put("ANTHROPIC_BASE_URL", url);
            root.put("apiKeyHelper", helper);
            writeWithBackup(file, root);
            System.err.println("bsg: Claude Code now uses " + url + " with your gateway sign-in (bsg login --gateway "
                    + url + ")");
            return 0;
        }
    }

    @Command(
            name = "bedrock",
            mixinStandardHelpOptions = true,
            description =
                    "Direct Bedrock access: an AWS profile whose credential_process is bsg, and Claude Code set to use it (backups first; safe to run again).")
    static final class Bedrock implements Callable<Integer> {
        @Option(names = "--profile", defaultValue = "default", description = "Profile in the organisation config.")
        String profile;

        @Option(
                names = "--aws-profile",
                description =
                        "Name of the AWS profile to write (default: the bsg profile's name, or bedrock for default).")
        String awsProfile;

        @Option(
                names = "--aws-config",
                description = "The AWS config file (default: $AWS_CONFIG_FILE or ~/.aws/config).")
        Path awsConfig;

        @Option(names = "--settings", description = "Claude Code's settings file (default: ~/.claude/settings.json).")
        Path settings;

        @Option(
                names = "--bsg",
                description = "The command the AWS tools and Claude Code run (default: this bsg launcher).")
        String bsg;

        @Override
        public Integer call() throws IOException {
            AwsProfile config = AwsProfile.load(profile);
            String name = awsProfile != null ? awsProfile : profile.equals("default") ? "bedrock" : profile;
            String command = launcher(bsg);
            Path aws = awsConfig != null
                    ? awsConfig
                    : System.getenv("AWS_CONFIG_FILE") != null
                            ? Path.of(System.getenv("AWS_CONFIG_FILE"))
                            : Path.of(System.getProperty("user.home"), ".aws", "config");
            writeAwsProfile(
                    aws,
                    name,
                    List.of(
                            "credential_process = " + command + " credential-process --profile " + profile,
                            "region = " + config.region()));
            Path file = settings != null ? settings : defaultClaudeSettings();
            ObjectNode root = readSettings(file);
            ObjectNode env = env(root);
            env.put("CLAUDE_CODE_USE_BEDROCK", "1");
            env.put("AWS_PROFILE", name);
            env.put("AWS_REGION", config.region());
            root.put("awsAuthRefresh", command + " credential-process --profile " + profile + " >/dev/null");
            root.put("otelHeadersHelper", command + " otel-headers --profile " + profile);
            if (config.otlpEndpoint() != null) {
                env.put("CLAUDE_CODE_ENABLE_TELEMETRY", "1");
                env.put("OTEL_METRICS_EXPORTER", "otlp");
                env.put("OTEL_LOGS_EXPORTER", "otlp");
                env.put("OTEL_EXPORTER_OTLP_PROTOCOL", config.otlpProtocol());
                env.put("OTEL_EXPORTER_OTLP_ENDPOINT", config.otlpEndpoint());
            }
            writeWithBackup(file, root);
            System.err.println("bsg: AWS profile '" + name + "' in " + aws + " signs in through " + config.issuer()
                    + "; Claude Code uses it (" + file + ")");
            return 0;
        }
    }

    /** Replaces (or adds) one {@code [profile NAME]} section of an AWS config file, keeping the rest as it was. */
    static void writeAwsProfile(Path file, String name, List<String> settings) throws IOException {
        String header = "[profile " + name + "]";
        List<String> out = new ArrayList<>();
        boolean inSection = false;
        boolean written = false;
        List<String> existing = Files.exists(file) ? Files.readAllLines(file, StandardCharsets.UTF_8) : List.of();
        for (String line : existing) {
            String trimmed = line.strip();
            if (trimmed.startsWith("[")) {
                inSection = trimmed.equals(header);
                if (inSection) {
                    out.add(header);
                    out.addAll(settings);
                    written = true;
                    continue;
                }
            }
            if (!inSection) out.add(line);
        }
        if (!written) {
            if (!out.isEmpty() && !out.get(out.size() - 1).isBlank()) out.add("");
            out.add(header);
            out.addAll(settings);
        }
        if (Files.exists(file)) backup(file);
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.write(file, (String.join("\n", out) + "\n").getBytes(StandardCharsets.UTF_8));
    }

    static Path defaultClaudeSettings() {
        return Path.of(System.getProperty("user.home"), ".claude", "settings.json");
    }

    static String launcher(String given) {
        return given != null ? given : System.getProperty("bsg.launcher", "bsg");
    }

    static ObjectNode readSettings(Path file) {
        if (!Files.exists(file)) return Json.MAPPER.createObjectNode();
        try {
            JsonNode existing = Json.MAPPER.readTree(file.toFile());
            return existing instanceof ObjectNode object ? object : Json.MAPPER.createObjectNode();
        } catch (IOException e) {
            throw new CliException(file + " is not valid JSON ("
                    + e.getMessage().lines().findFirst().orElse("") + "); fix or move it, then run this again");
        }
    }

    static ObjectNode env(ObjectNode root) {
        return root.has("env") && root.get("env").isObject() ? (ObjectNode) root.get("env") : root.putObject("env");
    }

    static void writeWithBackup(Path file, ObjectNode root) throws IOException {
        if (Files.exists(file)) backup(file);
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.write(file, Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(root));
    }

    private static void backup(Path file) throws IOException {
        Path backup = file.resolveSibling(file.getFileName() + ".bak-"
                + LocalDateTime.now(ZoneId.systemDefault()).format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        if (Files.exists(backup)) return; // one backup a second is enough
        Files.copy(file, backup);
        System.err.println("bsg: backed up " + file + " to " + backup);
    }
}
