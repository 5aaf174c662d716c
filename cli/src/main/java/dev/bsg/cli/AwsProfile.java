package dev.bsg.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One profile of the organisation's config for direct Bedrock access: the identity provider, and how
 * its ID token becomes AWS credentials (Cognito Identity pool, or STS with a role). Read only when a
 * sign-in or federation is needed, never on the cached path.
 */
record AwsProfile(
        String name,
        String issuer,
        String clientId,
        String clientSecret,
        int redirectPort,
        String federation,
        String roleArn,
        int sessionDurationSeconds,
        String region,
        String identityPoolId,
        String credentialStorage,
        Path source,
        String otlpEndpoint,
        String otlpProtocol) {

    /** $BSG_CONFIG, else ~/.config/bsg/config.yaml, else config.yaml next to the launcher. */
    static Path configFile() {
        String explicit = System.getenv("BSG_CONFIG");
        if (explicit != null && !explicit.isBlank()) return Path.of(explicit);
        Path user = CredentialFile.configDirectory().resolve("config.yaml");
        if (Files.exists(user)) return user;
        String launcher = System.getProperty("bsg.launcher");
        if (launcher != null) {
            Path beside = Path.of(launcher).toAbsolutePath().getParent().resolve("config.yaml");
            if (Files.exists(beside)) return beside;
        }
        return user;
    }

    static AwsProfile load(String name) {
        return load(configFile(), name);
    }

    /** The profile names in a config file, in order. */
    static List<String> names(Path file) {
        JsonNode profiles = read(file).path("profiles");
        List<String> names = new ArrayList<>();
        profiles.fieldNames().forEachRemaining(names::add);
        if (names.isEmpty()) throw new CliException(file + " has no profiles: add a profiles: section");
        return names;
    }

    private static JsonNode read(Path file) {
        try {
            JsonNode root = new ObjectMapper(new YAMLFactory()).readTree(Files.readString(file));
            return root == null ? new ObjectMapper().createObjectNode() : root;
        } catch (NoSuchFileException e) {
            throw new CliException("no organisation config at " + file
                    + ": set BSG_CONFIG, or install the bundle your IT team provides (bsg package)");
        } catch (IOException e) {
            throw new CliException("the config " + file + " is not valid YAML: "
                    + e.getMessage().lines().findFirst().orElse(""));
        }
    }

    static AwsProfile load(Path file, String name) {
        JsonNode root = read(file);
        JsonNode profiles = root == null ? null : root.path("profiles");
        if (profiles == null || !profiles.isObject() || profiles.isEmpty())
            throw new CliException(file + " has no profiles: add a profiles: section");
        JsonNode p = profiles.get(name);
        if (p == null) {
            throw new CliException("no profile '" + name + "' in " + file + "; profiles there: "
                    + String.join(", ", (Iterable<String>) profiles::fieldNames));
        }
        String where = "profiles." + name;
        String issuer = text(p, "issuer");
        if (issuer == null) issuer = issuerFromDomain(p, where);
        if (issuer == null || !(issuer.startsWith("https://") || issuer.startsWith("http://"))) {
            throw new CliException(
                    where + ".issuer: set the identity provider's issuer URL (or provider_domain and provider_type) in "
                            + file);
        }
        String clientId = required(p, "client_id", where, file);
        String federation = p.path("federation").asText("cognito").toLowerCase(Locale.ROOT);
        String region = p.path("region").asText(System.getenv().getOrDefault("AWS_REGION", "us-east-1"));
        String roleArn = text(p, "role_arn");
        String pool = text(p, "identity_pool_id");
        switch (federation) {
            case "direct" -> {
                if (roleArn == null)
                    throw new CliException(
                            where
                                    + ".role_arn: federation: direct needs the IAM role to assume (arn:aws:iam::ACCOUNT:role/NAME)");
            }
            case "cognito" -> {
                if (pool == null)
                    throw new CliException(
                            where + ".identity_pool_id: federation: cognito needs the identity pool (REGION:UUID)");
            }
            default -> throw new CliException(where + ".federation: use cognito or direct, not " + federation);
        }
        int port = p.path("redirect_port").asInt(8400);
        if (port < 1 || port > 65535) throw new CliException(where + ".redirect_port: a TCP port such as 8400");
        String storage = p.path("credential_storage").asText("keyring").toLowerCase(Locale.ROOT);
        if (!storage.equals("keyring") && !storage.equals("file"))
            throw new CliException(where + ".credential_storage: use keyring or file");
        JsonNode telemetry = root.path("telemetry");
        return new AwsProfile(
                name,
                issuer.replaceAll("/+$", ""),
                clientId,
                text(p, "client_secret"),
                port,
                federation,
                roleArn,
                p.path("session_duration").asInt(3600),
                region,
                pool,
                storage,
                file,
                text(telemetry, "otlp_endpoint"),
                telemetry.path("otlp_protocol").asText("http/protobuf"));
    }

    /** Okta, Entra ID and Auth0 issuers follow from their domains; Cognito user pools need the issuer itself. */
    private static String issuerFromDomain(JsonNode p, String where) {
        String domain = text(p, "provider_domain");
        if (domain == null) return null;
        domain = domain.replaceFirst("^https?://", "").replaceAll("/+$", "");
        String type = p.path("provider_type").asText(guessType(domain)).toLowerCase(Locale.ROOT);
        return switch (type) {
            case "okta" -> "https://" + domain + (domain.contains("/oauth2/") ? "" : "/oauth2/default");
            case "auth0" -> "https://" + domain;
            case "azure", "entra" ->
                "https://" + (domain.contains("/") ? domain : "login.microsoftonline.com/" + domain)
                        + (domain.endsWith("/v2.0") ? "" : "/v2.0");
            default ->
                throw new CliException(
                        where + ".provider_type: use okta, auth0 or azure; for Cognito user pools set issuer instead");
        };
    }

    private static String guessType(String domain) {
        if (domain.endsWith("okta.com") || domain.contains(".okta.")) return "okta";
        if (domain.endsWith("auth0.com")) return "auth0";
        if (domain.contains("microsoftonline.com")) return "azure";
        return "unknown";
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || value.isNull() || value.asText().isBlank()
                ? null
                : value.asText().strip();
    }

    private static String required(JsonNode node, String field, String where, Path file) {
        String value = text(node, field);
        if (value == null) throw new CliException(where + "." + field + " is missing in " + file);
        return value;
    }
}
