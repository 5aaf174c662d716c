package dev.bsg.protocol.models;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

/** What a Bedrock {@code {modelId}} path label may be, and how to put one back on the wire. */
public final class BedrockModelIds {
    private static final Pattern BASE_OR_PROFILE =
            Pattern.compile("^[a-z0-9-]{1,63}(\\.[a-zA-Z0-9_\\-]+)+(:[0-9]+)?(:[0-9a-z.]+)?$");
    private static final Pattern ARN = Pattern.compile(
            "^arn:aws(-[a-z-]+)?:(bedrock|sagemaker):[a-z0-9-]{1,20}:([0-9]{12})?:"
                    + "(foundation-model|inference-profile|application-inference-profile|provisioned-model|"
                    + "custom-model-deployment|imported-model|prompt|prompt-router|endpoint)/[a-zA-Z0-9_.:\\-/]{1,1024}$");
    private static final Pattern PATH_TRAVERSAL = Pattern.compile("(^|/)\\.{1,2}(/|$)");

    private BedrockModelIds() {}

    /** Decodes the percent-encoded label; null when it is not a valid model identifier. */
    public static String decode(String rawLabel) {
        String decoded;
        try {
            decoded = URLDecoder.decode(rawLabel.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return null;
        }
        return isValid(decoded) ? decoded : null;
    }

    public static boolean isValid(String id) {
        if (id == null || id.isEmpty() || id.length() > 2048) return false;
        if (id.startsWith("arn:"))
            return ARN.matcher(id).matches() && !PATH_TRAVERSAL.matcher(id).find();
        return BASE_OR_PROFILE.matcher(id).matches();
    }

    /** The label as the AWS SDKs encode it: everything outside {@code A-Za-z0-9-._~} percent-encoded. */
    public static String encode(String id) {
        StringBuilder out = new StringBuilder(id.length() + 16);
        for (byte b : id.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xFF);
            if ((c >= 'a' && c <= 'z')
                    || (c >= 'A' && c <= 'Z')
                    || (c >= '0' && c <= '9')
                    || c == '-'
                    || c == '.'
                    || c == '_'
                    || c == '~') {
                out.append(c);
            } else {
                out.append('%')
                        .append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 15, 16)));
            }
        }
        return out.toString();
    }
}
