package dev.bsg.gateway.upstream;

import dev.bsg.gateway.core.Principal;
import dev.bsg.gateway.http.HttpError;
import dev.bsg.gateway.settings.ManagedPolicies;
import dev.bsg.protocol.errors.ApiError;
import dev.bsg.protocol.models.ModelCatalog;
import dev.bsg.protocol.models.ResolvedModel;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** The {@code availableModels} of the caller's managed policy, enforced on inference and on model lists. */
public final class ModelPolicy {
    private final ManagedPolicies policies;
    private final ModelCatalog catalog;
    /** Allowed catalog IDs per policy (by checksum), resolved once rather than on every request. */
    private final Map<String, Set<String>> allowedByPolicy = new ConcurrentHashMap<>();

    public ModelPolicy(ManagedPolicies policies, ModelCatalog catalog) {
        this.policies = policies;
        this.catalog = catalog;
    }

    /** The catalog IDs this caller may use, or null for no restriction. */
    public Set<String> allowed(Principal principal) {
        if (policies.isEmpty() || principal == null || (principal.admin() && principal.userId() == null)) return null;
        ManagedPolicies.Effective effective = policies.effective(principal.email(), principal.groups());
        if (effective == null || effective.availableModels() == null) return null;
        return allowedByPolicy.computeIfAbsent(effective.checksum(), k -> {
            Set<String> ids = new HashSet<>();
            for (String name : effective.availableModels()) {
                ResolvedModel resolved = catalog.resolve(name);
                ids.add(resolved == null ? name : resolved.anthropicId());
            }
            return Set.copyOf(ids);
        });
    }

    /** Refuses, in Claude apps gateway wording, a model outside the caller's allowlist. */
    public void check(Principal principal, String askedName, String anthropicId) {
        Set<String> allowed = allowed(principal);
        if (allowed != null && !allowed.contains(anthropicId)) {
            throw new HttpError(
                    ApiError.invalidRequest("model " + askedName + " is not in your role's availableModels allowlist"));
        }
    }
}
