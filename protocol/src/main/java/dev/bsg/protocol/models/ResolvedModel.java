package dev.bsg.protocol.models;

/** What a model name asked for became: the ID sent to Bedrock and the catalog ID used for reporting. */
public record ResolvedModel(String asked, String anthropicId, String bedrockId, boolean fromCatalog) {}
