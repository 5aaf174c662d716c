package dev.bsg.protocol.errors;

/**
 * One error, known in both dialects: the Anthropic envelope's type and status, and the Bedrock
 * error type and status. The message is carried unchanged between them.
 */
public record ApiError(
        int anthropicStatus, String anthropicType, int bedrockStatus, String bedrockType, String message) {

    public static ApiError invalidRequest(String message) {
        return new ApiError(400, "invalid_request_error", 400, "ValidationException", message);
    }

    public static ApiError authentication(String message) {
        return new ApiError(401, "authentication_error", 403, "UnrecognizedClientException", message);
    }

    public static ApiError permission(String message) {
        return new ApiError(403, "permission_error", 403, "AccessDeniedException", message);
    }

    public static ApiError notFound(String message) {
        return new ApiError(404, "not_found_error", 404, "ResourceNotFoundException", message);
    }

    public static ApiError methodNotAllowed(String message) {
        return new ApiError(405, "invalid_request_error", 405, "ValidationException", message);
    }

    public static ApiError tooLarge(String message) {
        return new ApiError(413, "request_too_large", 413, "ValidationException", message);
    }

    public static ApiError rateLimited(String message) {
        return new ApiError(429, "rate_limit_error", 429, "ThrottlingException", message);
    }

    /**
     * A spend limit reached: not worth retrying until the period resets. Bedrock answers a quota it won't
     * lift with 400 ServiceQuotaExceededException, which the AWS SDKs don't retry (a 429 they retry for seconds).
     */
    public static ApiError spendLimit(String message) {
        return new ApiError(429, "billing_error", 400, "ServiceQuotaExceededException", message);
    }

    public static ApiError internal(String message) {
        return new ApiError(500, "api_error", 500, "InternalServerException", message);
    }

    public static ApiError unavailable(String message) {
        return new ApiError(503, "api_error", 503, "ServiceUnavailableException", message);
    }

    public static ApiError timeout(String message) {
        return new ApiError(504, "timeout_error", 408, "ModelTimeoutException", message);
    }

    /** Maps an error Bedrock returned (type as in X-Amzn-Errortype or a stream's exception type). */
    public static ApiError fromBedrock(int status, String rawType, String message) {
        String type = BedrockErrorTypes.normalise(rawType);
        int bedrockStatus = status > 0 ? status : BedrockErrorTypes.statusOf(type);
        return switch (type) {
            case "ThrottlingException", "ServiceQuotaExceededException" ->
                new ApiError(429, "rate_limit_error", bedrockStatus, type, message);
            case "ModelNotReadyException", "ServiceUnavailableException" ->
                new ApiError(529, "overloaded_error", bedrockStatus, type, message);
            case "ValidationException", "ConflictException" ->
                new ApiError(400, "invalid_request_error", bedrockStatus, type, message);
            case "AccessDeniedException", "UnrecognizedClientException" ->
                new ApiError(403, "permission_error", bedrockStatus, type, message);
            case "ResourceNotFoundException" -> new ApiError(404, "not_found_error", bedrockStatus, type, message);
            case "ModelTimeoutException" -> new ApiError(504, "timeout_error", bedrockStatus, type, message);
            default ->
                new ApiError(bedrockStatus >= 500 ? bedrockStatus : 500, "api_error", bedrockStatus, type, message);
        };
    }
}
