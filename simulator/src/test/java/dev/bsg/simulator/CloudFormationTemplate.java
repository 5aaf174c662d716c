package dev.bsg.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A CloudFormation template checked offline as far as that goes without AWS: its structure, that every Ref,
 * Fn::GetAtt, Fn::Sub variable and condition resolves, and, once instantiated with parameters, that every IAM
 * policy document in it parses and grants nothing a reviewer would flag. The instance evaluates the intrinsic
 * functions the templates use, with the account {@link FederationSimulator#ACCOUNT}.
 */
final class CloudFormationTemplate {
    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> SECTIONS = Set.of(
            "AWSTemplateFormatVersion",
            "Description",
            "Metadata",
            "Parameters",
            "Mappings",
            "Conditions",
            "Resources",
            "Outputs",
            "Rules");
    private static final Map<String, Set<String>> ATTRIBUTES = Map.of(
            "AWS::IAM::Role", Set.of("Arn", "RoleId"),
            "AWS::IAM::OIDCProvider", Set.of("Arn"),
            "AWS::Cognito::IdentityPool", Set.of("Id", "Name"),
            "AWS::Cognito::IdentityPoolRoleAttachment", Set.of("Id"),
            "AWS::Cognito::IdentityPoolPrincipalTag", Set.of("IdentityPoolId", "IdentityProviderName"));
    private static final Set<String> PSEUDO = Set.of(
            "AWS::AccountId",
            "AWS::Partition",
            "AWS::Region",
            "AWS::StackName",
            "AWS::StackId",
            "AWS::URLSuffix",
            "AWS::NoValue");
    private static final Set<String> FUNCTIONS = Set.of(
            "Ref",
            "Fn::GetAtt",
            "Fn::Sub",
            "Fn::Select",
            "Fn::Split",
            "Fn::Join",
            "Fn::If",
            "Fn::Equals",
            "Fn::Not",
            "Fn::And",
            "Fn::Or",
            "Condition");
    /** Actions IAM authorises only on "*": the one place a wildcard resource is right. */
    private static final Set<String> RESOURCELESS =
            Set.of("bedrock:ListFoundationModels", "bedrock:ListInferenceProfiles");

    private static final Pattern ACTION = Pattern.compile("^[a-z0-9-]+:[A-Z][A-Za-z]+$");
    private static final Pattern SUB_VARIABLE = Pattern.compile("\\$\\{([^!}][^}]*)}");

    final JsonNode template;
    private final String name;

    private CloudFormationTemplate(String name, JsonNode template) {
        this.name = name;
        this.template = template;
    }

    static CloudFormationTemplate load(Path file) throws IOException {
        return parse(file.getFileName().toString(), Files.readString(file));
    }

    static CloudFormationTemplate parse(String name, String text) throws IOException {
        for (String line : text.lines().toList()) {
            if (line.matches("^[^#]*(:|-)\\s+!\\w+.*")) {
                throw new IllegalArgumentException(name + ": short-form function in '" + line.strip()
                        + "'; write the long form ({Ref: X}, {\"Fn::Sub\": ...}) so every tool reads it");
            }
        }
        CloudFormationTemplate parsed = new CloudFormationTemplate(name, YAML.readTree(text));
        parsed.checkStructure();
        return parsed;
    }

    private void checkStructure() {
        require(template.isObject(), "is not a mapping");
        template.fieldNames()
                .forEachRemaining(section -> require(SECTIONS.contains(section), "unknown section " + section));
        require(template.path("AWSTemplateFormatVersion").asText().equals("2010-09-09"), "AWSTemplateFormatVersion");
        require(template.path("Resources").size() > 0, "has no Resources");
        template.path("Parameters")
                .properties()
                .forEach(p -> require(
                        Set.of("String", "Number", "CommaDelimitedList")
                                .contains(p.getValue().path("Type").asText()),
                        "parameter " + p.getKey() + " has no known Type"));
        template.path("Resources").properties().forEach(resource -> {
            String type = resource.getValue().path("Type").asText();
            require(ATTRIBUTES.containsKey(type), resource.getKey() + ": unknown type '" + type + "'");
            String condition = resource.getValue().path("Condition").asText(null);
            require(
                    condition == null || template.path("Conditions").has(condition),
                    resource.getKey() + ": no condition " + condition);
            checkReferences(resource.getValue().path("Properties"), resource.getKey(), Set.of());
        });
        template.path("Conditions").properties().forEach(c -> checkReferences(c.getValue(), c.getKey(), Set.of()));
        template.path("Outputs").properties().forEach(o -> checkReferences(o.getValue(), o.getKey(), Set.of()));
    }

    private void checkReferences(JsonNode node, String where, Set<String> locals) {
        if (node.isArray()) {
            node.forEach(item -> checkReferences(item, where, locals));
            return;
        }
        if (!node.isObject()) return;
        if (node.size() == 1) {
            String function = node.fieldNames().next();
            JsonNode argument = node.get(function);
            if (function.startsWith("Fn::") || function.equals("Ref")) {
                require(FUNCTIONS.contains(function), where + ": unknown function " + function);
            }
            switch (function) {
                case "Ref" -> {
                    require(
                            known(argument.asText()) || locals.contains(argument.asText()),
                            where + ": Ref to nothing: " + argument.asText());
                    return;
                }
                case "Fn::GetAtt" -> {
                    String resource = argument.path(0).asText();
                    String type = template.path("Resources")
                            .path(resource)
                            .path("Type")
                            .asText();
                    require(
                            ATTRIBUTES
                                    .getOrDefault(type, Set.of())
                                    .contains(argument.path(1).asText()),
                            where + ": Fn::GetAtt to nothing: " + argument);
                    return;
                }
                case "Fn::Sub" -> {
                    String text = argument.isArray() ? argument.path(0).asText() : argument.asText();
                    Set<String> variables = new HashSet<>(locals);
                    if (argument.isArray()) {
                        argument.path(1).fieldNames().forEachRemaining(variables::add);
                        checkReferences(argument.path(1), where, locals);
                    }
                    Matcher matcher = SUB_VARIABLE.matcher(text);
                    while (matcher.find()) {
                        String variable = matcher.group(1);
                        String base = variable.contains(".") ? variable.substring(0, variable.indexOf('.')) : variable;
                        require(
                                variables.contains(variable)
                                        || known(variable)
                                        || template.path("Resources").has(base),
                                where + ": Fn::Sub variable ${" + variable + "} resolves to nothing");
                    }
                    return;
                }
                case "Fn::If" ->
                    require(
                            template.path("Conditions").has(argument.path(0).asText()),
                            where + ": Fn::If on no condition "
                                    + argument.path(0).asText());
                default -> {}
            }
        }
        node.properties().forEach(field -> checkReferences(field.getValue(), where, locals));
    }

    private boolean known(String name) {
        return PSEUDO.contains(name)
                || template.path("Parameters").has(name)
                || template.path("Resources").has(name);
    }

    private void require(boolean ok, String problem) {
        if (!ok) throw new IllegalArgumentException(name + ": " + problem);
    }

    /** The template as CloudFormation would create it with these parameters (defaults for the rest). */
    Instance instantiate(Map<String, String> parameters) {
        Map<String, JsonNode> values = new HashMap<>();
        template.path("Parameters").properties().forEach(p -> {
            String value = parameters.getOrDefault(
                    p.getKey(), p.getValue().path("Default").asText(null));
            require(value != null, "parameter " + p.getKey() + " has no value and no default");
            require(
                    value.matches(p.getValue().path("AllowedPattern").asText(".*")),
                    "parameter " + p.getKey() + " '" + value + "' does not match its AllowedPattern");
            JsonNode allowed = p.getValue().path("AllowedValues");
            if (allowed.isArray()) {
                List<String> options = new ArrayList<>();
                allowed.forEach(option -> options.add(option.asText()));
                require(options.contains(value), "parameter " + p.getKey() + " is not one of " + options);
            }
            if (p.getValue().path("Type").asText().equals("CommaDelimitedList")) {
                ArrayNode list = JsonNodeFactory.instance.arrayNode();
                for (String item : value.split(",")) list.add(item.strip());
                values.put(p.getKey(), list);
            } else {
                values.put(p.getKey(), TextNode.valueOf(value));
            }
        });
        values.put("AWS::AccountId", TextNode.valueOf(FederationSimulator.ACCOUNT));
        values.put("AWS::Partition", TextNode.valueOf("aws"));
        values.put("AWS::Region", TextNode.valueOf("us-east-1"));
        return new Instance(this, values);
    }

    /** Evaluated resources; Ref and Fn::GetAtt of a resource give the names and ARNs AWS would. */
    static final class Instance {
        private final CloudFormationTemplate owner;
        private final Map<String, JsonNode> values;
        final ObjectNode resources = JsonNodeFactory.instance.objectNode();

        private Instance(CloudFormationTemplate owner, Map<String, JsonNode> values) {
            this.owner = owner;
            this.values = values;
            owner.template.path("Resources").properties().forEach(resource -> {
                String condition = resource.getValue().path("Condition").asText(null);
                if (condition != null && !condition(condition)) return;
                ObjectNode evaluated = resource.getValue().deepCopy();
                evaluated.set("Properties", evaluate(resource.getValue().path("Properties")));
                resources.set(resource.getKey(), evaluated);
            });
            resources
                    .properties()
                    .forEach(resource -> policies(resource.getKey(), resource.getValue())
                            .forEach((label, document) -> checkPolicy(resource.getKey() + " " + label, document)));
        }

        JsonNode properties(String resource) {
            return resources.path(resource).path("Properties");
        }

        /** Every IAM policy document of a resource, a JSON string (from Fn::Sub) parsed as IAM would. */
        static Map<String, JsonNode> policies(String resource, JsonNode definition) {
            Map<String, JsonNode> out = new HashMap<>();
            JsonNode properties = definition.path("Properties");
            if (properties.has("AssumeRolePolicyDocument"))
                out.put("trust", document(properties.get("AssumeRolePolicyDocument")));
            for (JsonNode policy : properties.path("Policies"))
                out.put(policy.path("PolicyName").asText(), document(policy.path("PolicyDocument")));
            return out;
        }

        JsonNode trustPolicy(String role) {
            return document(properties(role).path("AssumeRolePolicyDocument"));
        }

        private static JsonNode document(JsonNode node) {
            if (!node.isTextual()) return node;
            try {
                return JSON.readTree(node.asText());
            } catch (IOException e) {
                throw new IllegalArgumentException("a policy document is not JSON: " + node.asText(), e);
            }
        }

        private void checkPolicy(String where, JsonNode document) {
            boolean trust = where.endsWith(" trust");
            owner.require(document.path("Version").asText().equals("2012-10-17"), where + ": Version 2012-10-17");
            owner.require(document.path("Statement").size() > 0, where + ": no Statement");
            for (JsonNode statement : document.path("Statement")) {
                owner.require(
                        Set.of("Allow", "Deny")
                                .contains(statement.path("Effect").asText()),
                        where + ": Effect");
                List<String> actions = new ArrayList<>();
                JsonNode action = statement.path("Action");
                if (action.isArray()) action.forEach(a -> actions.add(a.asText()));
                else actions.add(action.asText());
                for (String a : actions) {
                    owner.require(
                            ACTION.matcher(a).matches(), where + ": action '" + a + "' is a wildcard or malformed");
                    owner.require(
                            trust ? a.startsWith("sts:") : a.startsWith("bedrock:"),
                            where + ": " + a + (trust ? " in a trust policy" : " is outside Bedrock"));
                }
                if (trust) {
                    owner.require(statement.has("Principal") && !statement.has("Resource"), where + ": Principal");
                    owner.require(!statement.path("Principal").toString().contains("\"*\""), where + ": any principal");
                    continue;
                }
                List<String> resources = new ArrayList<>();
                JsonNode resource = statement.path("Resource");
                if (resource.isArray()) resource.forEach(r -> resources.add(r.asText()));
                else resources.add(resource.asText());
                for (String r : resources) {
                    owner.require(r.startsWith("arn:aws:") || r.equals("*"), where + ": resource '" + r + "'");
                    owner.require(
                            !r.equals("*") || RESOURCELESS.containsAll(actions),
                            where + ": Resource \"*\" for " + actions);
                }
            }
        }

        boolean condition(String name) {
            return evaluateCondition(owner.template.path("Conditions").path(name));
        }

        private boolean evaluateCondition(JsonNode node) {
            if (node.has("Fn::Equals")) {
                return evaluate(node.get("Fn::Equals").get(0))
                        .equals(evaluate(node.get("Fn::Equals").get(1)));
            }
            if (node.has("Fn::Not"))
                return !evaluateCondition(node.get("Fn::Not").get(0));
            if (node.has("Condition")) return condition(node.get("Condition").asText());
            throw new IllegalArgumentException("condition not understood: " + node);
        }

        JsonNode evaluate(JsonNode node) {
            if (node.isArray()) {
                ArrayNode out = JsonNodeFactory.instance.arrayNode();
                node.forEach(item -> out.add(evaluate(item)));
                return out;
            }
            if (!node.isObject()) return node;
            if (node.size() == 1) {
                String function = node.fieldNames().next();
                JsonNode a = node.get(function);
                switch (function) {
                    case "Ref" -> {
                        return ref(a.asText());
                    }
                    case "Fn::GetAtt" -> {
                        return TextNode.valueOf(
                                attribute(a.get(0).asText(), a.get(1).asText()));
                    }
                    case "Fn::Sub" -> {
                        return TextNode.valueOf(sub(a));
                    }
                    case "Fn::Select" -> {
                        return evaluate(a.get(1))
                                .get(Integer.parseInt(evaluate(a.get(0)).asText()));
                    }
                    case "Fn::Split" -> {
                        ArrayNode parts = JsonNodeFactory.instance.arrayNode();
                        for (String part : evaluate(a.get(1))
                                .asText()
                                .split(Pattern.quote(a.get(0).asText()), -1)) parts.add(part);
                        return parts;
                    }
                    case "Fn::Join" -> {
                        List<String> parts = new ArrayList<>();
                        evaluate(a.get(1)).forEach(part -> parts.add(part.asText()));
                        return TextNode.valueOf(String.join(a.get(0).asText(), parts));
                    }
                    case "Fn::If" -> {
                        return evaluate(condition(a.get(0).asText()) ? a.get(1) : a.get(2));
                    }
                    default -> {}
                }
            }
            ObjectNode out = JsonNodeFactory.instance.objectNode();
            node.properties().forEach(field -> out.set(field.getKey(), evaluate(field.getValue())));
            return out;
        }

        private String sub(JsonNode argument) {
            String text = argument.isArray() ? argument.get(0).asText() : argument.asText();
            Map<String, String> locals = new HashMap<>();
            if (argument.isArray())
                argument.get(1)
                        .properties()
                        .forEach(v ->
                                locals.put(v.getKey(), evaluate(v.getValue()).asText()));
            Matcher matcher = SUB_VARIABLE.matcher(text);
            StringBuilder out = new StringBuilder();
            while (matcher.find()) {
                String variable = matcher.group(1);
                String value = locals.containsKey(variable)
                        ? locals.get(variable)
                        : variable.contains(".")
                                ? attribute(
                                        variable.substring(0, variable.indexOf('.')),
                                        variable.substring(variable.indexOf('.') + 1))
                                : ref(variable).asText();
                matcher.appendReplacement(out, Matcher.quoteReplacement(value));
            }
            matcher.appendTail(out);
            return out.toString().replace("${!", "${");
        }

        private JsonNode ref(String name) {
            if (values.containsKey(name)) return values.get(name);
            JsonNode resource = owner.template.path("Resources").path(name);
            return switch (resource.path("Type").asText()) {
                case "AWS::IAM::Role" -> evaluate(resource.path("Properties").path("RoleName"));
                case "AWS::IAM::OIDCProvider" -> TextNode.valueOf(attribute(name, "Arn"));
                case "AWS::Cognito::IdentityPool" -> TextNode.valueOf("us-east-1:0f1e2d3c-4b5a-6978-8695-a4b3c2d1e0f9");
                default -> TextNode.valueOf(name + "-physical-id");
            };
        }

        private String attribute(String resource, String attribute) {
            JsonNode definition = owner.template.path("Resources").path(resource);
            String account = FederationSimulator.ACCOUNT;
            return switch (definition.path("Type").asText() + "." + attribute) {
                case "AWS::IAM::Role.Arn" ->
                    "arn:aws:iam::" + account + ":role/" + ref(resource).asText();
                case "AWS::IAM::OIDCProvider.Arn" ->
                    "arn:aws:iam::" + account + ":oidc-provider/"
                            + evaluate(definition.path("Properties").path("Url"))
                                    .asText()
                                    .replaceFirst("^https://", "");
                default -> ref(resource).asText();
            };
        }
    }
}
