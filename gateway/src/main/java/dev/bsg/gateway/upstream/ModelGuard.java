package dev.bsg.gateway.upstream;

import dev.bsg.gateway.http.HttpError;
import dev.bsg.protocol.errors.ApiError;
import dev.bsg.protocol.models.ModelCatalog;
import java.util.List;
import java.util.Set;

/**
 * What the gateway's own AWS credentials may be used for (the confused deputy): Claude models and their
 * inference profiles in the configured regions; ARNs only of the configured accounts. Other providers'
 * models pass only with {@code models.allow_other_providers}.
 */
public final class ModelGuard {
    private static final int MAX_NAME = 256;
    private final List<String> regions;
    private final boolean otherProviders;
    private final Set<String> accounts;

    public ModelGuard(List<String> regions, boolean otherProviders, Set<String> accounts) {
        this.regions = regions;
        this.otherProviders = otherProviders;
        this.accounts = accounts;
    }

    /** Refuses (400 in the door's envelope) a model the gateway must not call on anyone's behalf. */
    public void check(String asked, String bedrockId) {
        if (asked != null && asked.length() > MAX_NAME) refuse("model: at most " + MAX_NAME + " characters");
        if (bedrockId.startsWith("arn:")) {
            checkArn(bedrockId);
            return;
        }
        if (!otherProviders && !isClaude(bedrockId)) {
            refuse("model " + bedrockId
                    + " is not a Claude model; this gateway serves Claude only (models.allow_other_providers)");
        }
    }

    private void checkArn(String arn) {
        String[] parts = arn.split(":", 6);
        if (parts.length < 6) refuse("model: malformed ARN");
        String region = parts[3];
        String account = parts[4];
        String resource = parts[5];
        if (!regions.contains(region))
            refuse("model: ARN in region " + region + ", but this gateway calls " + String.join(", ", regions)
                    + " (upstream.regions)");
        if (account.isEmpty()) {
            if (!resource.startsWith("foundation-model/")) refuse("model: the ARN names no account");
        } else if (!accounts.contains(account)) {
            refuse("model: ARN of account " + account + ", which this gateway does not call (models.allowed_accounts)");
        }
        String type = resource.substring(0, Math.max(0, resource.indexOf('/')));
        String id = resource.substring(resource.indexOf('/') + 1);
        switch (type) {
            case "foundation-model", "inference-profile" -> {
                if (!otherProviders && !isClaude(id))
                    refuse("model " + id
                            + " is not a Claude model; this gateway serves Claude only (models.allow_other_providers)");
            }
            case "application-inference-profile", "provisioned-model", "custom-model-deployment", "imported-model" -> {}
            default -> {
                if (!otherProviders) refuse("model: a " + type + " ARN is not a model this gateway calls");
            }
        }
    }

    static boolean isClaude(String bedrockId) {
        return ModelCatalog.baseIdOf(bedrockId).startsWith("anthropic.claude");
    }

    private static void refuse(String message) {
        throw new HttpError(ApiError.invalidRequest(message));
    }
}
