package dev.bsg.gateway.upstream;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.bsg.gateway.http.Exchange;
import dev.bsg.gateway.http.HttpError;
import dev.bsg.protocol.errors.ApiError;
import dev.bsg.protocol.models.CatalogEntry;
import dev.bsg.protocol.models.ModelCatalog;
import dev.bsg.protocol.models.ResolvedModel;
import dev.bsg.protocol.translate.Json;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;

/** Model discovery on both doors: {@code GET /v1/models} and Bedrock's {@code ListInferenceProfiles} shape. */
public final class ModelEndpoints {
    private static final String CREATED = "2025-01-01T00:00:00Z";
    private final ModelCatalog catalog;
    private final String region;
    private final ModelPolicy modelPolicy;

    public ModelEndpoints(ModelCatalog catalog, String region, ModelPolicy modelPolicy) {
        this.modelPolicy = modelPolicy;
        this.catalog = catalog;
        this.region = region;
    }

    public void anthropicModels(Exchange exchange) {
        Set<String> allowed = modelPolicy.allowed(exchange.principal());
        List<CatalogEntry> entries = catalog.entries().stream()
                .filter(e -> allowed == null || allowed.contains(e.anthropicId()))
                .toList();
        exchange.sendJson(200, Json.write(g -> {
            g.writeStartObject();
            g.writeArrayFieldStart("data");
            for (CatalogEntry entry : entries) {
                g.writeStartObject();
                g.writeStringField("type", "model");
                g.writeStringField("id", entry.anthropicId());
                g.writeStringField("display_name", entry.displayName());
                g.writeStringField("created_at", CREATED);
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeBooleanField("has_more", false);
            g.writeStringField(
                    "first_id", entries.isEmpty() ? null : entries.get(0).anthropicId());
            g.writeStringField(
                    "last_id",
                    entries.isEmpty() ? null : entries.get(entries.size() - 1).anthropicId());
            g.writeEndObject();
        }));
    }

    public void listInferenceProfiles(Exchange exchange) {
        List<CatalogEntry> entries = catalog.entries();
        exchange.sendJson(200, Json.write(g -> {
            g.writeStartObject();
            g.writeArrayFieldStart("inferenceProfileSummaries");
            for (CatalogEntry entry : entries) writeProfile(g, entry, catalog.resolve(entry.anthropicId()));
            g.writeEndArray();
            g.writeEndObject();
        }));
    }

    public void getInferenceProfile(Exchange exchange) {
        String id = URLDecoder.decode(exchange.pathParam("id"), StandardCharsets.UTF_8);
        for (CatalogEntry entry : catalog.entries()) {
            ResolvedModel resolved = catalog.resolve(entry.anthropicId());
            if (resolved.bedrockId().equals(id) || id.endsWith("/" + resolved.bedrockId())) {
                exchange.sendJson(200, Json.write(g -> writeProfile(g, entry, resolved)));
                return;
            }
        }
        throw new HttpError(ApiError.notFound("Inference profile " + id + " not found"));
    }

    private void writeProfile(JsonGenerator g, CatalogEntry entry, ResolvedModel resolved) throws IOException {
        g.writeStartObject();
        g.writeStringField("inferenceProfileName", entry.displayName());
        g.writeStringField("description", entry.displayName() + " through the Bedrock SSO Gateway");
        g.writeStringField("createdAt", CREATED);
        g.writeStringField("updatedAt", CREATED);
        g.writeStringField(
                "inferenceProfileArn", "arn:aws:bedrock:" + region + "::inference-profile/" + resolved.bedrockId());
        g.writeArrayFieldStart("models");
        g.writeStartObject();
        g.writeStringField("modelArn", "arn:aws:bedrock:" + region + "::foundation-model/" + entry.bedrockId());
        g.writeEndObject();
        g.writeEndArray();
        g.writeStringField("inferenceProfileId", resolved.bedrockId());
        g.writeStringField("status", "ACTIVE");
        g.writeStringField("type", "SYSTEM_DEFINED");
        g.writeEndObject();
    }
}
