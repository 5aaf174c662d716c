package dev.bsg.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.google.gson.JsonParser;
import dev.bsg.gateway.settings.Settings;
import dev.bsg.gateway.settings.SettingsLoader;
import io.kubernetes.client.openapi.models.V1ConfigMap;
import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1Ingress;
import io.kubernetes.client.openapi.models.V1PodDisruptionBudget;
import io.kubernetes.client.openapi.models.V1Service;
import io.kubernetes.client.openapi.models.V1ServiceAccount;
import io.kubernetes.client.openapi.models.V2HorizontalPodAutoscaler;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * deploy/kubernetes, validated offline: every manifest against the Kubernetes API's own schema (the OpenAPI
 * models of the official Java client, which refuse unknown and missing required fields), then what ties them
 * together: selectors, ports, probes, the hardening, and the config the ConfigMap carries.
 */
class KubernetesManifestsTest {
    private static final Path DIR = ComposeProxy.ROOT.resolve("deploy/kubernetes");
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final ObjectMapper JSON = new ObjectMapper();

    private static Map<String, JsonNode> manifests() throws IOException {
        Map<String, JsonNode> byKind = new HashMap<>();
        for (JsonNode file :
                YAML.readTree(DIR.resolve("kustomization.yaml").toFile()).path("resources")) {
            JsonNode manifest = YAML.readTree(DIR.resolve(file.asText()).toFile());
            byKind.put(manifest.path("kind").asText(), manifest);
        }
        return byKind;
    }

    @Test
    void everyManifestMatchesTheKubernetesSchema() throws IOException {
        Map<String, JsonNode> manifests = manifests();
        assertThat(manifests)
                .containsOnlyKeys(
                        "ServiceAccount",
                        "ConfigMap",
                        "Deployment",
                        "Service",
                        "Ingress",
                        "HorizontalPodAutoscaler",
                        "PodDisruptionBudget");
        for (Map.Entry<String, JsonNode> manifest : manifests.entrySet()) {
            var json = JsonParser.parseString(JSON.writeValueAsString(manifest.getValue()));
            switch (manifest.getKey()) {
                case "ServiceAccount" -> V1ServiceAccount.validateJsonElement(json);
                case "ConfigMap" -> V1ConfigMap.validateJsonElement(json);
                case "Deployment" -> V1Deployment.validateJsonElement(json);
                case "Service" -> V1Service.validateJsonElement(json);
                case "Ingress" -> V1Ingress.validateJsonElement(json);
                case "HorizontalPodAutoscaler" -> V2HorizontalPodAutoscaler.validateJsonElement(json);
                case "PodDisruptionBudget" -> V1PodDisruptionBudget.validateJsonElement(json);
                default -> throw new AssertionError("no schema for " + manifest.getKey());
            }
        }
    }

    @Test
    void theSchemaCheckRefusesAMisspelledField() throws IOException {
        JsonNode deployment = manifests().get("Deployment");
        String broken = JSON.writeValueAsString(deployment).replace("\"readinessProbe\"", "\"readinesProbe\"");
        assertThatThrownBy(() -> V1Deployment.validateJsonElement(JsonParser.parseString(broken)))
                .hasMessageContaining("readinesProbe");
    }

    @Test
    void theManifestsFitTogetherAndRunTheImageHardened() throws IOException {
        Map<String, JsonNode> m = manifests();
        JsonNode deployment = m.get("Deployment");
        JsonNode labels =
                deployment.path("spec").path("template").path("metadata").path("labels");
        assertThat(deployment.path("spec").path("selector").path("matchLabels")).isEqualTo(labels);
        assertThat(m.get("Service").path("spec").path("selector")).isEqualTo(labels);
        assertThat(m.get("PodDisruptionBudget").path("spec").path("selector").path("matchLabels"))
                .isEqualTo(labels);
        assertThat(m.get("HorizontalPodAutoscaler")
                        .path("spec")
                        .path("scaleTargetRef")
                        .path("name")
                        .asText())
                .isEqualTo(deployment.path("metadata").path("name").asText());
        assertThat(m.get("Ingress").toString()).contains("\"name\":\"bsg-gateway\"");

        JsonNode pod = deployment.path("spec").path("template").path("spec");
        JsonNode container = pod.path("containers").get(0);
        List<String> ports = new ArrayList<>();
        container.path("ports").forEach(p -> ports.add(p.path("name").asText()));
        for (String probe : List.of("startupProbe", "readinessProbe", "livenessProbe")) {
            assertThat(ports)
                    .contains(container.path(probe).path("httpGet").path("port").asText());
        }
        assertThat(container.path("readinessProbe").path("httpGet").path("path").asText())
                .isEqualTo("/readyz");
        m.get("Service")
                .path("spec")
                .path("ports")
                .forEach(p -> assertThat(ports).contains(p.path("targetPort").asText()));
        assertThat(container.path("image").asText()).isEqualTo("localhost/bsg-gateway:0.1.0");
        assertThat(container
                        .path("securityContext")
                        .path("readOnlyRootFilesystem")
                        .asBoolean())
                .isTrue();
        assertThat(container
                        .path("securityContext")
                        .path("allowPrivilegeEscalation")
                        .asBoolean())
                .isFalse();
        assertThat(pod.path("securityContext").path("runAsNonRoot").asBoolean()).isTrue();
        assertThat(pod.path("securityContext").path("runAsUser").asInt()).isEqualTo(65532);

        // The ConfigMap's config.yaml is one the gateway accepts, with its secrets where the Secret is mounted.
        Path secrets = Files.createTempDirectory("bsg-k8s-secrets");
        for (String name : List.of("db_password", "jwt_secret", "admin_key", "oidc_client_secret")) {
            Files.writeString(secrets.resolve(name), name + "-for-the-test-and-long-enough-for-a-secret\n");
        }
        Path config = secrets.resolve("config.yaml");
        Files.writeString(
                config,
                m.get("ConfigMap")
                        .path("data")
                        .path("config.yaml")
                        .asText()
                        .replace("/run/secrets/bsg", secrets.toString()));
        Settings settings = SettingsLoader.load(config, Map.of());
        int grace = (int) (settings.server().drainDelay().toSeconds()
                + settings.server().shutdownGrace().toSeconds());
        assertThat(pod.path("terminationGracePeriodSeconds").asInt())
                .as("the pod waits out the drain and the grace")
                .isGreaterThan(grace);
        String mounted = container.path("volumeMounts").toString();
        assertThat(mounted)
                .contains("/run/secrets/bsg")
                .contains("/etc/bsg")
                .contains("/tmp")
                .contains("/data");
    }
}
