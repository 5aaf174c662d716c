package dev.bsg.gateway.telemetry;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.bsg.protocol.translate.Json;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import java.io.IOException;
import java.util.Map;
import java.util.Set;

/**
 * Puts the identity the gateway authenticated on every resource of an OTLP export, replacing whatever the
 * client claimed under those keys: telemetry can't be passed off as someone else's. Protobuf goes through the
 * OpenTelemetry project's own classes, JSON (OTLP's JSON mapping) through Jackson's tree.
 */
public final class IdentityStamp {
    /** Keys that name a person: a client's own values for them are dropped, whatever the gateway sets. */
    static final Set<String> IDENTITY_KEYS =
            Set.of("user.id", "user.email", "user.groups", "user.team", "identity.source", "enduser.id", "enduser.sub");

    private IdentityStamp() {}

    public static byte[] protobuf(OtlpSignal signal, byte[] body, Map<String, String> identity)
            throws InvalidProtocolBufferException {
        return switch (signal) {
            case METRICS -> {
                ExportMetricsServiceRequest.Builder request = ExportMetricsServiceRequest.parseFrom(body).toBuilder();
                request.getResourceMetricsBuilderList().forEach(r -> r.setResource(stamp(r.getResource(), identity)));
                yield request.build().toByteArray();
            }
            case LOGS -> {
                ExportLogsServiceRequest.Builder request = ExportLogsServiceRequest.parseFrom(body).toBuilder();
                request.getResourceLogsBuilderList().forEach(r -> r.setResource(stamp(r.getResource(), identity)));
                yield request.build().toByteArray();
            }
            case TRACES -> {
                ExportTraceServiceRequest.Builder request = ExportTraceServiceRequest.parseFrom(body).toBuilder();
                request.getResourceSpansBuilderList().forEach(r -> r.setResource(stamp(r.getResource(), identity)));
                yield request.build().toByteArray();
            }
        };
    }

    private static Resource stamp(Resource resource, Map<String, String> identity) {
        Resource.Builder stamped = resource.toBuilder().clearAttributes();
        for (KeyValue attribute : resource.getAttributesList()) {
            if (!IDENTITY_KEYS.contains(attribute.getKey()) && !identity.containsKey(attribute.getKey()))
                stamped.addAttributes(attribute);
        }
        identity.forEach((key, value) -> stamped.addAttributes(
                KeyValue.newBuilder().setKey(key).setValue(AnyValue.newBuilder().setStringValue(value))));
        return stamped.build();
    }

    /** The same for OTLP/JSON; anything that is not an export request of this signal is an IOException. */
    public static byte[] json(OtlpSignal signal, byte[] body, Map<String, String> identity) throws IOException {
        JsonNode root;
        try {
            root = Json.MAPPER.readTree(body);
        } catch (StreamConstraintsException e) {
            throw new IOException("the JSON is nested too deeply or too large", e);
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            throw new IOException(
                    "not valid JSON"
                            + (at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr()),
                    e);
        }
        if (!(root instanceof ObjectNode request)) throw new IOException("an OTLP/JSON export is a JSON object");
        JsonNode resources = request.path(signal.jsonField());
        if (!resources.isMissingNode() && !resources.isArray())
            throw new IOException(signal.jsonField() + " must be an array");
        for (JsonNode each : resources) {
            if (!(each instanceof ObjectNode entry)) throw new IOException(signal.jsonField() + " holds a non-object");
            ObjectNode resource = entry.get("resource") instanceof ObjectNode r ? r : entry.putObject("resource");
            ArrayNode kept = Json.MAPPER.createArrayNode();
            for (JsonNode attribute : resource.path("attributes")) {
                String key = attribute.path("key").asText();
                if (!IDENTITY_KEYS.contains(key) && !identity.containsKey(key)) kept.add(attribute);
            }
            identity.forEach((key, value) ->
                    kept.addObject().put("key", key).putObject("value").put("stringValue", value));
            resource.set("attributes", kept);
        }
        return Json.MAPPER.writeValueAsBytes(request);
    }
}
