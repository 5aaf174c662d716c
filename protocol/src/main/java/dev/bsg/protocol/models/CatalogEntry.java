package dev.bsg.protocol.models;

import java.util.List;
import java.util.Set;

/** A model the gateway knows by name: its Anthropic ID, Bedrock base ID and the profile prefixes offered. */
public record CatalogEntry(
        String anthropicId, String bedrockId, String displayName, Set<String> prefixes, List<String> aliases) {}
