package dev.bsg.gateway.settings;

import dev.bsg.gateway.core.Principal;
import dev.bsg.gateway.http.Exchange;
import dev.bsg.protocol.translate.Json;
import java.util.List;

/** {@code GET /managed/settings}: the caller's policy in Claude Code's wrapper, with ETag and 304. */
public final class ManagedSettingsEndpoint {
    private final ManagedPolicies policies;

    public ManagedSettingsEndpoint(ManagedPolicies policies) {
        this.policies = policies;
    }

    public void serve(Exchange exchange) {
        Principal principal = exchange.principal();
        ManagedPolicies.Effective effective = policies.effective(principal.email(), principal.groups());
        exchange.setHeader("Cache-Control", "no-cache");
        if (effective == null) {
            exchange.sendJson(404, Json.write(g -> {
                g.writeStartObject();
                g.writeStringField("error", "no managed policy applies to you");
                g.writeEndObject();
            }));
            return;
        }
        String etag = "\"" + effective.checksum() + "\"";
        exchange.setHeader("ETag", etag);
        String ifNoneMatch = exchange.header("If-None-Match");
        if (ifNoneMatch != null && List.of(ifNoneMatch.split("\\s*,\\s*")).contains(etag)) {
            exchange.sendEmpty(304);
            return;
        }
        exchange.sendJson(200, effective.body());
    }
}
