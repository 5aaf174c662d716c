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
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import io.opentelemetry.proto.metrics.v1.ExponentialHistogramDataPoint;
import io.opentelemetry.proto.metrics.v1.HistogramDataPoint;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import io.opentelemetry.proto.metrics.v1.SummaryDataPoint;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.Function;

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
            case METRICS -> metrics(body, identity).toByteArray();
            case LOGS -> {
                ExportLogsServiceRequest.Builder request = ExportLogsServiceRequest.parseFrom(body).toBuilder();
                for (ResourceLogs.Builder resource : request.getResourceLogsBuilderList()) {
                    resource.setResource(stamp(resource.getResource(), identity));
                    for (ScopeLogs.Builder scope : resource.getScopeLogsBuilderList())
                        restamp(
                                scope.getLogRecordsBuilderList(),
                                LogRecord.Builder::getAttributesList,
                                (log, attributes) -> log.clearAttributes().addAllAttributes(attributes),
                                identity);
                }
                yield request.build().toByteArray();
            }
            case TRACES -> {
                ExportTraceServiceRequest.Builder request = ExportTraceServiceRequest.parseFrom(body).toBuilder();
                for (ResourceSpans.Builder resource : request.getResourceSpansBuilderList()) {
                    resource.setResource(stamp(resource.getResource(), identity));
                    for (ScopeSpans.Builder scope : resource.getScopeSpansBuilderList())
                        restamp(
                                scope.getSpansBuilderList(),
                                Span.Builder::getAttributesList,
                                (span, attributes) -> span.clearAttributes().addAllAttributes(attributes),
                                identity);
                }
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

    /** A metrics export, stamped, as the parsed request (so the summary need not parse it again). */
    public static ExportMetricsServiceRequest metrics(byte[] body, Map<String, String> identity)
            throws InvalidProtocolBufferException {
        ExportMetricsServiceRequest.Builder request = ExportMetricsServiceRequest.parseFrom(body).toBuilder();
        for (ResourceMetrics.Builder resource : request.getResourceMetricsBuilderList()) {
            resource.setResource(stamp(resource.getResource(), identity));
            for (ScopeMetrics.Builder scope : resource.getScopeMetricsBuilderList())
                for (Metric.Builder metric : scope.getMetricsBuilderList()) stampPoints(metric, identity);
        }
        return request.build();
    }

    /** Claude Code repeats user.id and user.email on every data point: those are the client's claims too. */
    private static void stampPoints(Metric.Builder metric, Map<String, String> identity) {
        switch (metric.getDataCase()) {
            case SUM ->
                restamp(
                        metric.getSumBuilder().getDataPointsBuilderList(),
                        NumberDataPoint.Builder::getAttributesList,
                        (point, attributes) -> point.clearAttributes().addAllAttributes(attributes),
                        identity);
            case GAUGE ->
                restamp(
                        metric.getGaugeBuilder().getDataPointsBuilderList(),
                        NumberDataPoint.Builder::getAttributesList,
                        (point, attributes) -> point.clearAttributes().addAllAttributes(attributes),
                        identity);
            case HISTOGRAM ->
                restamp(
                        metric.getHistogramBuilder().getDataPointsBuilderList(),
                        HistogramDataPoint.Builder::getAttributesList,
                        (point, attributes) -> point.clearAttributes().addAllAttributes(attributes),
                        identity);
            case EXPONENTIAL_HISTOGRAM ->
                restamp(
                        metric.getExponentialHistogramBuilder().getDataPointsBuilderList(),
                        ExponentialHistogramDataPoint.Builder::getAttributesList,
                        (point, attributes) -> point.clearAttributes().addAllAttributes(attributes),
                        identity);
            case SUMMARY ->
                restamp(
                        metric.getSummaryBuilder().getDataPointsBuilderList(),
                        SummaryDataPoint.Builder::getAttributesList,
                        (point, attributes) -> point.clearAttributes().addAllAttributes(attributes),
                        identity);
            default -> {}
        }
    }

    private static <B> void restamp(
            List<B> items,
            Function<B, List<KeyValue>> attributesOf,
            BiConsumer<B, List<KeyValue>> replace,
            Map<String, String> identity) {
        for (B item : items) {
            List<KeyValue> attributes = restamped(attributesOf.apply(item), identity);
            if (attributes != null) replace.accept(item, attributes);
        }
    }

    /**
     * {@code attributes} with each identity key the client set given the authenticated value (or dropped when the
     * gateway has none); null when the client set none, so the common case copies nothing.
     */
    private static List<KeyValue> restamped(List<KeyValue> attributes, Map<String, String> identity) {
        boolean claims = false;
        for (KeyValue attribute : attributes) claims |= claimed(attribute.getKey(), identity);
        if (!claims) return null;
        List<KeyValue> out = new ArrayList<>(attributes.size());
        for (KeyValue attribute : attributes) {
            if (!claimed(attribute.getKey(), identity)) out.add(attribute);
            else if (identity.containsKey(attribute.getKey()))
                out.add(KeyValue.newBuilder()
                        .setKey(attribute.getKey())
                        .setValue(AnyValue.newBuilder().setStringValue(identity.get(attribute.getKey())))
                        .build());
        }
        return out;
    }

    private static boolean claimed(String key, Map<String, String> identity) {
        return IDENTITY_KEYS.contains(key) || identity.containsKey(key);
    }

    /** The same for OTLP/JSON; anything that is not an export request of this signal is an IOException. */
    public static byte[] json(OtlpSignal signal, byte[] body, Map<String, String> identity) throws IOException {
        return Json.MAPPER.writeValueAsBytes(jsonTree(signal, body, identity));
    }

    /** The same, as the stamped tree (so the summary need not parse it again). */
    public static ObjectNode jsonTree(OtlpSignal signal, byte[] body, Map<String, String> identity) throws IOException {
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
            for (Map.Entry<String, JsonNode> field : entry.properties()) {
                if (!field.getKey().equals("resource")) restampNested(field.getValue(), identity);
            }
        }
        return request;
    }

    /** Every "attributes" array below a resource (data points, log records, spans), restamped as in protobuf. */
    private static void restampNested(JsonNode node, Map<String, String> identity) {
        if (node instanceof ArrayNode array) {
            for (JsonNode each : array) restampNested(each, identity);
        } else if (node instanceof ObjectNode object) {
            for (Map.Entry<String, JsonNode> field : object.properties()) {
                if (field.getKey().equals("attributes") && field.getValue() instanceof ArrayNode attributes) {
                    for (int i = attributes.size() - 1; i >= 0; i--) {
                        String key = attributes.get(i).path("key").asText();
                        if (!claimed(key, identity)) continue;
                        if (identity.containsKey(key) && attributes.get(i) instanceof ObjectNode attribute)
                            attribute.putObject("value").put("stringValue", identity.get(key));
                        else attributes.remove(i);
                    }
                } else {
                    restampNested(field.getValue(), identity);
                }
            }
        }
    }
}
