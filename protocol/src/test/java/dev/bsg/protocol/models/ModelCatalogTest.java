package dev.bsg.protocol.models;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ModelCatalogTest {
    @Test
    void mapsCatalogNamesAliasesAndPrefixes() {
        ModelCatalog us = ModelCatalog.standard("us");
        assertThat(us.resolve("claude-sonnet-4-5").bedrockId())
                .isEqualTo("us.anthropic.claude-sonnet-4-5-20250929-v1:0");
        assertThat(us.resolve("claude-opus-4-6").bedrockId()).isEqualTo("us.anthropic.claude-opus-4-6-v1");
        assertThat(ModelCatalog.standard("eu")
                        .resolve("claude-opus-4-1-20250805")
                        .bedrockId())
                .as("a prefix the model is not offered under falls back to one it is")
                .isEqualTo("us.anthropic.claude-opus-4-1-20250805-v1:0");
        assertThat(ModelCatalog.standard("").resolve("claude-haiku-4-5").bedrockId())
                .isEqualTo("anthropic.claude-haiku-4-5-20251001-v1:0");
        assertThat(ModelCatalog.standard("global")
                        .resolve("claude-3-5-sonnet-20241022")
                        .bedrockId())
                .isEqualTo("us.anthropic.claude-3-5-sonnet-20241022-v2:0");
    }

    @Test
    void unknownButWellFormedNamesMapByRule() {
        ModelCatalog catalog = ModelCatalog.standard("global");
        assertThat(catalog.resolve("claude-fable-5").bedrockId()).isEqualTo("global.anthropic.claude-fable-5");
        assertThat(catalog.resolve("claude-sonnet-5-20270101").bedrockId())
                .isEqualTo("global.anthropic.claude-sonnet-5-20270101-v1:0");
        assertThat(catalog.resolve("gpt-4")).isNull();
        assertThat(catalog.resolve("claude-../../x")).isNull();
    }

    @Test
    void bedrockIdsAndArnsPassThrough() {
        ModelCatalog catalog = ModelCatalog.standard("us");
        String arn = "arn:aws:bedrock:us-east-2:123456789012:application-inference-profile/abc123";
        assertThat(catalog.resolve(arn).bedrockId()).isEqualTo(arn);
        assertThat(catalog.resolve("eu.anthropic.claude-sonnet-4-6").bedrockId())
                .isEqualTo("eu.anthropic.claude-sonnet-4-6");
        assertThat(catalog.anthropicIdOf("us.anthropic.claude-sonnet-4-5-20250929-v1:0"))
                .isEqualTo("claude-sonnet-4-5-20250929");
    }

    @Test
    void configuredAliasesAndEntries() {
        ModelCatalog catalog = new ModelCatalog(
                List.of(new CatalogEntry(
                        "claude-internal", "anthropic.claude-internal-v1:0", "Internal", Set.of("us"), List.of())),
                Map.of(
                        "fast",
                        "claude-haiku-4-5",
                        "pinned",
                        "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/p1"),
                "us");
        assertThat(catalog.resolve("fast").bedrockId()).isEqualTo("us.anthropic.claude-haiku-4-5-20251001-v1:0");
        assertThat(catalog.resolve("fast").asked()).isEqualTo("fast");
        assertThat(catalog.resolve("pinned").bedrockId()).endsWith("application-inference-profile/p1");
        assertThat(catalog.resolve("claude-internal").bedrockId()).isEqualTo("us.anthropic.claude-internal-v1:0");
    }

    @Test
    void bedrockModelIdsAreDecodedAndValidated() {
        assertThat(BedrockModelIds.decode("us.anthropic.claude-sonnet-4-5-20250929-v1%3A0"))
                .isEqualTo("us.anthropic.claude-sonnet-4-5-20250929-v1:0");
        assertThat(BedrockModelIds.decode("us.anthropic.claude-sonnet-4-5-20250929-v1:0"))
                .isEqualTo("us.anthropic.claude-sonnet-4-5-20250929-v1:0");
        assertThat(BedrockModelIds.decode("arn:aws:bedrock:eu-west-1:123456789012:application-inference-profile%2Fabc"))
                .isEqualTo("arn:aws:bedrock:eu-west-1:123456789012:application-inference-profile/abc");
        assertThat(BedrockModelIds.decode(
                        "arn%3Aaws%3Abedrock%3Aus-east-2%3A123456789012%3Ainference-profile%2F..%2F..%2Fx"))
                .isNull();
        assertThat(BedrockModelIds.decode("..")).isNull();
        assertThat(BedrockModelIds.decode("a%2Fb")).isNull();
        assertThat(BedrockModelIds.decode("%zz")).isNull();
        assertThat(BedrockModelIds.decode("anthropic.claude x")).isNull();
        assertThat(BedrockModelIds.encode("arn:aws:bedrock:us-east-1:1:inference-profile/a"))
                .isEqualTo("arn%3Aaws%3Abedrock%3Aus-east-1%3A1%3Ainference-profile%2Fa");
    }
}
