package dev.bsg.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import dev.bsg.protocol.translate.Json;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Predicate;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The first day's wizard: asks what the deployment needs, writes the gateway's config, the organisation config
 * {@code bsg package} embeds and the CloudFormation parameters, and prints the commands that deploy them. A
 * second run starts from what the files already say and changes only the keys it asks about.
 */
@Command(
        name = "init",
        mixinStandardHelpOptions = true,
        description = "Write gateway.yaml, org.yaml and the CloudFormation parameters, and print the deploy commands."
                + " Re-running it edits those files (keeping a .bak) and never drops a key it did not ask about.")
public final class InitCommand implements Callable<Integer> {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES));
    private static final String HEADER =
            "# Written by bsg init. Edit freely: running bsg init again changes only the keys it asks about.\n";

    @Option(names = "--dir", description = "Where to write the files (default: the current directory).")
    Path dir = Path.of(".");

    @Option(names = "--non-interactive", description = "Ask nothing: take the flags, then what the files say.")
    boolean nonInteractive;

    @Option(names = "--issuer", description = "The identity provider's issuer URL, as in its ID tokens.")
    String issuer;

    @Option(names = "--client-id", description = "The OIDC client id people sign in with.")
    String clientId;

    @Option(names = "--client-secret-file", description = "A file holding the client secret, if the IdP gave one.")
    String clientSecretFile;

    @Option(names = "--regions", description = "Bedrock regions, in failover order (comma-separated).")
    String regions;

    @Option(names = "--models", description = "The Claude models people may use (comma-separated).")
    String models;

    @Option(
            names = "--path",
            description = "gateway, direct or both: through the gateway, straight to Bedrock, or both.")
    String path;

    @Option(names = "--federation", description = "For the direct path: direct (IAM OIDC role) or cognito.")
    String federation;

    @Option(names = "--account", description = "The 12-digit AWS account the templates are deployed in.")
    String account;

    @Option(names = "--public-url", description = "The address people reach the gateway at.")
    String publicUrl;

    @Option(names = "--database-url", description = "JDBC URL: jdbc:postgresql://HOST/DB in production.")
    String databaseUrl;

    @Option(names = "--admin-emails", description = "Who gets the admin pages and API (comma-separated).")
    String adminEmails;

    @Option(names = "--identity-pool-id", description = "The Cognito pool's id, once its stack is deployed.")
    String identityPoolId;

    private BufferedReader input;
    private final PrintStream out = System.out;

    @Override
    public Integer call() throws IOException {
        Files.createDirectories(dir);
        Path gatewayFile = dir.resolve("gateway.yaml");
        Path orgFile = dir.resolve("org.yaml");
        ObjectNode gateway = read(gatewayFile);
        ObjectNode org = read(orgFile);
        ObjectNode profile = object(object(org, "profiles"), "default");
        Path notesFile = dir.resolve("aws").resolve("bsg-init.json");
        ObjectNode notes = Files.exists(notesFile)
                ? (ObjectNode) Json.MAPPER.readTree(Files.readString(notesFile))
                : Json.MAPPER.createObjectNode();
        if (!nonInteractive) {
            input = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            out.println("bsg init: press Enter to keep the value in [brackets].");
        }
        String where = ask(
                "--path",
                "Who calls Bedrock: gateway, direct or both",
                path,
                text(notes, "path"),
                "both",
                v -> List.of("gateway", "direct", "both").contains(v),
                "gateway, direct or both");
        String idp = ask(
                "--issuer",
                "Identity provider issuer URL",
                issuer,
                first(text(gateway, "oidc", "issuer"), text(profile, "issuer")),
                null,
                v -> v.matches("https://[^\\s/]+(/[^\\s]*)?[^/\\s]|http://(localhost|127\\.0\\.0\\.1)(:\\d+)?(/\\S*)?"),
                "an https:// URL without a trailing slash, exactly as the iss of the IdP's tokens");
        String client = ask(
                "--client-id",
                "OIDC client id",
                clientId,
                first(text(gateway, "oidc", "client_id"), text(profile, "client_id")),
                null,
                v -> !v.isBlank(),
                "the client id registered with the identity provider");
        String regionList = ask(
                "--regions",
                "Bedrock regions, in failover order",
                regions,
                join(gateway.path("upstream").path("regions")),
                "us-east-1,us-west-2",
                v -> split(v).stream().allMatch(r -> r.matches("[a-z]{2}(-gov)?-[a-z]+-\\d")),
                "AWS region names such as us-east-1,us-west-2");
        String modelList = ask(
                "--models",
                "Claude models people may use",
                models,
                catchAllModels(gateway),
                "claude-sonnet-4-5,claude-haiku-4-5",
                v -> split(v).stream().allMatch(m -> m.matches("claude-[a-z0-9.-]+")),
                "model names such as claude-sonnet-4-5,claude-opus-4-1");
        String aws = ask(
                "--account",
                "AWS account id for the templates",
                account,
                first(text(notes, "account"), accountOf(text(profile, "role_arn"))),
                null,
                v -> v.matches("\\d{12}"),
                "the 12-digit AWS account id");
        List<String> commands = new ArrayList<>();
        String templates = templatesDir();

        if (!where.equals("direct")) {
            String url = ask(
                    "--public-url",
                    "The gateway's public address",
                    publicUrl,
                    text(gateway, "server", "public_url"),
                    "https://bedrock-gateway.example.com",
                    v -> v.matches("https?://\\S+"),
                    "an http(s):// URL");
            String database = ask(
                    "--database-url",
                    "Database",
                    databaseUrl,
                    text(gateway, "database", "url"),
                    "jdbc:sqlite:./data/bsg.db",
                    v -> v.startsWith("jdbc:sqlite:") || v.startsWith("jdbc:postgresql://"),
                    "jdbc:postgresql://HOST:5432/DB or jdbc:sqlite:FILE");
            String admins = ask(
                    "--admin-emails",
                    "Admin email addresses",
                    adminEmails,
                    join(gateway.path("admin").path("emails")),
                    "",
                    v -> split(v).stream().allMatch(e -> e.contains("@")),
                    "email addresses, comma-separated");
            object(gateway, "server").put("public_url", url);
            object(gateway, "database").put("url", database);
            ObjectNode oidc = object(gateway, "oidc");
            oidc.put("issuer", idp);
            oidc.put("client_id", client);
            if (clientSecretFile != null) oidc.put("client_secret_file", clientSecretFile);
            array(object(gateway, "upstream"), "regions", split(regionList));
            array(object(gateway, "admin"), "emails", split(admins));
            setCatchAllModels(gateway, split(modelList));
            Map<String, String> parameters = new LinkedHashMap<>();
            parameters.put("Regions", regionList);
            writeParameters("gateway-role", parameters);
            commands.add(deploy("bsg-gateway-role", templates + "/gateway-role.yaml", parameters));
        }
        if (!where.equals("gateway")) {
            String kind = ask(
                    "--federation",
                    "Direct path through: direct (IAM OIDC role) or cognito",
                    federation,
                    text(profile, "federation"),
                    "direct",
                    v -> v.equals("direct") || v.equals("cognito"),
                    "direct or cognito");
            profile.put("issuer", idp);
            profile.put("client_id", client);
            profile.put("federation", kind);
            profile.put("region", split(regionList).getFirst());
            if (!profile.has("session_duration")) profile.put("session_duration", 3600);
            Map<String, String> parameters = new LinkedHashMap<>();
            parameters.put("IssuerUrl", idp);
            parameters.put("ClientId", client);
            parameters.put(
                    "MaxSessionDurationSeconds",
                    profile.path("session_duration").asText());
            parameters.put("Regions", regionList);
            String template = kind.equals("direct") ? "direct-oidc" : "direct-cognito";
            writeParameters(template, parameters);
            commands.add(deploy("bsg-" + template, templates + "/" + template + ".yaml", parameters));
            if (kind.equals("direct")) {
                profile.put("role_arn", "arn:aws:iam::" + aws + ":role/bsg-direct");
                profile.remove("identity_pool_id");
            } else {
                profile.remove("role_arn");
                if (identityPoolId != null) profile.put("identity_pool_id", identityPoolId);
                if (!profile.has("identity_pool_id")) {
                    commands.add("aws cloudformation describe-stacks --stack-name bsg-direct-cognito --query"
                            + " \"Stacks[0].Outputs[?OutputKey=='IdentityPoolId'].OutputValue\" --output text");
                    commands.add("bsg init --dir " + dir + " --non-interactive --identity-pool-id POOL_ID_FROM_ABOVE");
                }
            }
        }
        if (!where.equals("direct")) write(gatewayFile, gateway);
        if (!where.equals("gateway")) write(orgFile, org);
        notes.put("path", where).put("account", aws);
        writeJson(notesFile, notes);

        out.println();
        out.println("Deploy the AWS side (account " + aws + "):");
        commands.forEach(c -> out.println("  " + c));
        out.println("Then:");
        if (!where.equals("direct")) out.println("  ./bsg serve --config " + gatewayFile);
        if (!where.equals("gateway"))
            out.println("  ./bsg package --config " + orgFile + " --out dist   # the bundle people install");
        return 0;
    }

    private String ask(
            String flag,
            String question,
            String given,
            String current,
            String fallback,
            Predicate<String> valid,
            String expected)
            throws IOException {
        if (given != null) {
            String value = given.strip();
            if (!valid.test(value)) throw new CliException(flag + ": '" + value + "' is not usable; give " + expected);
            return value;
        }
        String suggestion = current != null ? current : fallback;
        if (nonInteractive) {
            if (suggestion == null)
                throw new CliException(flag + " is needed with --non-interactive (" + expected + ")");
            return suggestion;
        }
        while (true) {
            out.print(question + (suggestion == null || suggestion.isEmpty() ? "" : " [" + suggestion + "]") + ": ");
            out.flush();
            String line = input.readLine();
            if (line == null)
                throw new CliException("no answer for " + flag + "; run with " + flag + " or --non-interactive");
            String value = line.isBlank() && suggestion != null ? suggestion : line.strip();
            if (valid.test(value)) return value;
            out.println("  that is not usable: give " + expected);
        }
    }

    private String templatesDir() {
        String launcher = System.getProperty("bsg.launcher");
        if (launcher != null) {
            Path beside = Path.of(launcher).toAbsolutePath().getParent().resolve("deploy/aws");
            if (Files.isDirectory(beside)) return beside.toString();
        }
        return "deploy/aws";
    }

    private void writeParameters(String template, Map<String, String> parameters) throws IOException {
        ArrayNode list = Json.MAPPER.createArrayNode();
        parameters.forEach(
                (key, value) -> list.addObject().put("ParameterKey", key).put("ParameterValue", value));
        writeJson(dir.resolve("aws").resolve(template + ".parameters.json"), list);
    }

    private static void writeJson(Path file, JsonNode content) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(content) + "\n");
    }

    private static String deploy(String stack, String template, Map<String, String> parameters) {
        StringBuilder command = new StringBuilder("aws cloudformation deploy --stack-name " + stack
                + " --template-file " + template + " --capabilities CAPABILITY_NAMED_IAM --parameter-overrides");
        parameters.forEach(
                (key, value) -> command.append(' ').append(key).append('=').append(value));
        return command.toString();
    }

    private static ObjectNode read(Path file) throws IOException {
        if (!Files.exists(file)) return YAML.createObjectNode();
        JsonNode node = YAML.readTree(Files.readString(file));
        if (node == null || node.isMissingNode() || node.isNull()) return YAML.createObjectNode();
        if (!node.isObject())
            throw new CliException(file + " is not a YAML mapping; fix or move it, then run bsg init again");
        return (ObjectNode) node;
    }

    /** Writes only when something changed, keeping the previous file as FILE.bak. */
    private void write(Path file, ObjectNode content) throws IOException {
        String text = HEADER + YAML.writeValueAsString(content);
        if (Files.exists(file)) {
            if (Files.readString(file).equals(text)) {
                out.println("unchanged: " + file);
                return;
            }
            Files.copy(file, file.resolveSibling(file.getFileName() + ".bak"), StandardCopyOption.REPLACE_EXISTING);
            out.println("updated:   " + file + " (the previous one is " + file.getFileName() + ".bak)");
        } else {
            out.println("wrote:     " + file);
        }
        Files.writeString(file, text);
    }

    private static String catchAllModels(ObjectNode gateway) {
        for (JsonNode rule : gateway.path("policies")) {
            if (rule.path("match").isObject() && rule.path("match").isEmpty())
                return join(rule.path("settings").path("availableModels"));
        }
        return null;
    }

    /** The catch-all managed-settings rule (match: {}) carries the allowed models; other rules stay as they are. */
    private static void setCatchAllModels(ObjectNode gateway, List<String> models) {
        ArrayNode policies = gateway.has("policies") && gateway.get("policies").isArray()
                ? (ArrayNode) gateway.get("policies")
                : gateway.putArray("policies");
        for (JsonNode rule : policies) {
            if (rule.path("match").isObject() && rule.path("match").isEmpty() && rule instanceof ObjectNode r) {
                array(object(r, "settings"), "availableModels", models);
                return;
            }
        }
        ObjectNode rule = policies.addObject();
        rule.putObject("match");
        array(rule.putObject("settings"), "availableModels", models);
    }

    private static ObjectNode object(ObjectNode parent, String name) {
        return parent.get(name) instanceof ObjectNode child ? child : parent.putObject(name);
    }

    private static void array(ObjectNode parent, String name, List<String> values) {
        ArrayNode array = parent.putArray(name);
        values.forEach(array::add);
    }

    private static String text(JsonNode node, String... path) {
        for (String step : path) node = node.path(step);
        return node.isValueNode() && !node.isNull() ? node.asText() : null;
    }

    private static String join(JsonNode list) {
        if (!list.isArray() || list.isEmpty()) return null;
        List<String> values = new ArrayList<>();
        list.forEach(v -> values.add(v.asText()));
        return String.join(",", values);
    }

    private static List<String> split(String list) {
        List<String> out = new ArrayList<>();
        for (String part : list.split(",")) if (!part.isBlank()) out.add(part.strip());
        return out;
    }

    private static String first(String a, String b) {
        return a != null ? a : b;
    }

    private static String accountOf(String roleArn) {
        return roleArn == null ? null : roleArn.replaceFirst("^arn:aws:iam::(\\d{12}):.*$", "$1");
    }
}
