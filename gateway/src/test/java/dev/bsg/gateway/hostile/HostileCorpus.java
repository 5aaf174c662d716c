package dev.bsg.gateway.hostile;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;

/**
 * The hostile inputs, generated: malformed, truncated, wrongly typed, out of range, over-long, wrongly
 * encoded and protocol-level requests over every door and endpoint. Each names the envelope its error
 * must come back in.
 */
@SuppressWarnings("StringConcatToTextBlock") // raw HTTP needs its exact CRLFs, which text blocks hide
final class HostileCorpus {
    enum Envelope {
        ANTHROPIC,
        BEDROCK,
        OAUTH,
        PAGE
    }

    /** One request; {@code door} is the door an error must answer in, {@code http505} when 505 is the right answer. */
    record Case(String name, byte[] raw, Envelope envelope, boolean http505) {
        Case(String name, byte[] raw, Envelope envelope) {
            this(name, raw, envelope, false);
        }
    }

    static final String VALID =
            "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":16,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    static final String BEDROCK_VALID =
            "{\"anthropic_version\":\"bedrock-2023-05-31\",\"max_tokens\":16,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    static final String[] WRONG_VALUES = {
        "1", "\"x\"", "true", "[]", "{}", "null", "-1", "1e400", "99999999999999999999", "\"\\u0000\""
    };
    static final String[] FIELDS = {
        "model",
        "max_tokens",
        "messages",
        "system",
        "tools",
        "stream",
        "temperature",
        "top_k",
        "top_p",
        "metadata",
        "stop_sequences",
        "tool_choice",
        "thinking"
    };

    private final String userKey;
    private final String adminKey;
    private final String userId;
    private final List<Case> cases = new ArrayList<>();

    HostileCorpus(String userKey, String adminKey, String userId) {
        this.userKey = userKey;
        this.adminKey = adminKey;
        this.userId = userId;
    }

    List<Case> all() {
        anthropicDoor();
        bedrockDoor();
        adminApi();
        selfService();
        oauth();
        pages();
        protocol();
        telemetry();
        return cases;
    }

    /** Claude Code's OTLP relay: broken protobuf and JSON, bad compression, a gzip bomb, wrong types. */
    private void telemetry() {
        byte[] bomb;
        try {
            ByteArrayOutputStream zipped = new ByteArrayOutputStream();
            try (GZIPOutputStream gzip = new GZIPOutputStream(zipped)) {
                byte[] zeros = new byte[1 << 20];
                for (int i = 0; i < 40; i++) gzip.write(zeros);
            }
            bomb = zipped.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        for (String path : List.of("/v1/metrics", "/v1/logs", "/v1/traces")) {
            for (byte[] body : List.of(
                    new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff},
                    new byte[] {0x0a, (byte) 0x80},
                    new byte[] {0x0a, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x0f})) {
                otlp(path + " protobuf " + HexFormat.of().formatHex(body), path, body, "application/x-protobuf");
            }
            for (String json : List.of(
                    "",
                    "{",
                    "[]",
                    "null",
                    "{\"resourceMetrics\":5,\"resourceLogs\":5,\"resourceSpans\":5}",
                    "{\"resourceMetrics\":[5],\"resourceLogs\":[5],\"resourceSpans\":[5]}",
                    "{\"a\":" + "[".repeat(100_000) + "]".repeat(100_000) + "}")) {
                otlp(path + " json " + abbreviate(json), path, utf8(json), "application/json");
            }
            otlp(path + " not gzip", path, utf8("{}"), "application/json", "Content-Encoding", "gzip");
            for (String point : List.of(
                    "{\"asInt\":\"abc\",\"timeUnixNano\":\"zz\"}",
                    "{\"asInt\":\"1e400\",\"timeUnixNano\":\"99999999999999999999999\"}",
                    "{\"asDouble\":\"NaN\",\"startTimeUnixNano\":-1}",
                    "{\"asDouble\":-1e308,\"attributes\":5}",
                    "{\"asInt\":{},\"attributes\":[{\"key\":{},\"value\":[]}]}",
                    "5")) {
                String metrics = "{\"resourceMetrics\":[{\"scopeMetrics\":[{\"metrics\":[{\"name\":"
                        + "\"claude_code.lines_of_code.count\",\"sum\":{\"aggregationTemporality\":\"x\","
                        + "\"dataPoints\":[" + point + "]}},{\"name\":123,\"sum\":[]}]}]}]}";
                otlp(path + " odd metric " + abbreviate(point), path, utf8(metrics), "application/json");
            }
            otlp(path + " gzip bomb", path, bomb, "application/x-protobuf", "Content-Encoding", "gzip");
            otlp(path + " brotli", path, utf8("{}"), "application/json", "Content-Encoding", "br");
            otlp(path + " text", path, utf8("hello"), "text/plain");
            cases.add(new Case(
                    "otlp " + path + " anonymous",
                    RawHttp.request("POST", path, headers("Content-Type", "application/json"), utf8("{}")),
                    Envelope.ANTHROPIC));
        }
    }

    private void otlp(String name, String path, byte[] body, String type, String... extra) {
        Map<String, String> h = headers("x-api-key", userKey, "Content-Type", type);
        h.putAll(headers(extra));
        cases.add(new Case("otlp " + name, RawHttp.request("POST", path, h, body), Envelope.ANTHROPIC));
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static Map<String, String> headers(String... pairs) {
        Map<String, String> map = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) map.put(pairs[i], pairs[i + 1]);
        return map;
    }

    private void anthropic(String name, String path, byte[] body, String... extra) {
        Map<String, String> h =
                headers("x-api-key", userKey, "anthropic-version", "2023-06-01", "Content-Type", "application/json");
        h.putAll(headers(extra));
        cases.add(new Case("anthropic " + name, RawHttp.request("POST", path, h, body), Envelope.ANTHROPIC));
    }

    private void anthropicDoor() {
        for (String path : List.of("/v1/messages", "/anthropic/v1/messages", "/v1/messages/count_tokens")) {
            for (String bad : List.of(
                    "",
                    "{",
                    "}",
                    "[]",
                    "null",
                    "1",
                    "\"x\"",
                    "{\"model\":}",
                    "{\"model\":\"claude-sonnet-4-5\",}",
                    "{'model':1}",
                    VALID + "garbage",
                    VALID + VALID,
                    "{\"model\":\"claude-sonnet-4-5\"",
                    "\u0000",
                    "{\"a\":" + "[".repeat(5000) + "]".repeat(5000) + "}")) {
                anthropic("malformed " + abbreviate(bad), path, utf8(bad));
            }
            for (int cut = 1; cut < VALID.length(); cut += 6)
                anthropic("truncated at " + cut + " " + path, path, utf8(VALID.substring(0, cut)));
        }
        for (String field : FIELDS) {
            for (String value : WRONG_VALUES) {
                String body = VALID.replace("{\"model\"", "{\"" + field + "\":" + value + ",\"model\"");
                if (field.equals("model") || field.equals("max_tokens") || field.equals("messages")) {
                    body = VALID.replaceFirst(
                            "\"" + field + "\":(\"[^\"]*\"|[0-9]+|\\[[^]]*])", "\"" + field + "\":" + value);
                }
                anthropic("wrong type " + field + "=" + value, "/v1/messages", utf8(body));
            }
        }
        anthropic(
                "nesting 100000",
                "/v1/messages",
                utf8("{\"messages\":" + "[".repeat(100_000) + "]".repeat(100_000) + "}"));
        anthropic("max_tokens 0", "/v1/messages", utf8(VALID.replace("\"max_tokens\":16", "\"max_tokens\":0")));
        anthropic("no max_tokens", "/v1/messages", utf8(VALID.replace("\"max_tokens\":16,", "")));
        anthropic("no messages", "/v1/messages", utf8("{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":16}"));
        anthropic("no model", "/v1/messages", utf8("{\"max_tokens\":16,\"messages\":[]}"));
        for (String model : List.of(
                "claude-" + "x".repeat(450),
                "meta.llama3-8b-instruct-v1:0",
                "amazon.titan-text-express-v1",
                "mistral.mistral-large-2402-v1:0",
                "arn:aws:bedrock:us-east-1:999999999999:inference-profile/us.anthropic.claude-sonnet-4-5-20250929-v1:0",
                "arn:aws:bedrock:eu-central-9:123456789012:inference-profile/us.anthropic.claude-sonnet-4-5-20250929-v1:0",
                "arn:aws:bedrock:us-east-1::foundation-model/meta.llama3-8b-instruct-v1:0",
                "claude\u0000sonnet",
                "cläude",
                "",
                " ",
                "../../etc/passwd",
                "claude-sonnet-4-5\r\nx: y",
                "gpt-4o",
                "A".repeat(10_000))) {
            anthropic(
                    "model " + abbreviate(model),
                    "/v1/messages",
                    utf8(VALID.replace(
                            "claude-sonnet-4-5",
                            model.replace("\\", "\\\\")
                                    .replace("\"", "\\\"")
                                    .replace("\u0000", "\\u0000")
                                    .replace("\r", "\\r")
                                    .replace("\n", "\\n"))));
        }
        anthropic("UTF-16LE body", "/v1/messages", VALID.getBytes(StandardCharsets.UTF_16LE));
        anthropic("UTF-16 with BOM", "/v1/messages", VALID.getBytes(StandardCharsets.UTF_16));
        anthropic("UTF-32 body", "/v1/messages", VALID.getBytes(Charset.forName("UTF-32")));
        anthropic(
                "Latin-1 model",
                "/v1/messages",
                VALID.replace("claude-sonnet-4-5", "cläude").getBytes(StandardCharsets.ISO_8859_1));
        byte[] invalid = utf8(VALID.replace("claude-sonnet-4-5", "claude-\u00ff"));
        invalid[invalid.length - VALID.length() + 19] = (byte) 0xC0;
        anthropic("invalid UTF-8 in model", "/v1/messages", invalid);
        anthropic("no anthropic-version", "/v1/messages", utf8(VALID), "anthropic-version", "");
        anthropic("text/plain", "/v1/messages", utf8("not json at all"), "Content-Type", "text/plain");
        anthropic("project header bad", "/v1/messages", utf8(VALID), "x-bsg-project", "-" + "p".repeat(300));
        anthropic("bad key", "/v1/messages", utf8(VALID), "x-api-key", "SSOK_" + "A".repeat(40));
        anthropic("key with NUL-like bytes", "/v1/messages", utf8(VALID), "x-api-key", "\u0001\u0002");
        anthropic(
                "forged JWT",
                "/v1/messages",
                utf8(VALID),
                "x-api-key",
                "",
                "Authorization",
                "Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.");
        anthropic("huge body", "/v1/messages", new byte[2 * 1024 * 1024]);
        anthropic(
                "long session id is cut, not refused",
                "/v1/messages",
                utf8(VALID),
                "x-claude-code-session-id",
                "s".repeat(300));
        anthropic("long agent id", "/v1/messages", utf8(VALID), "x-claude-code-agent-id", "a".repeat(3000));
    }

    private void bedrock(String name, String method, String path, byte[] body, String... extra) {
        Map<String, String> h = headers("Authorization", "Bearer " + userKey, "Content-Type", "application/json");
        h.putAll(headers(extra));
        cases.add(new Case("bedrock " + name, RawHttp.request(method, path, h, body), Envelope.BEDROCK));
    }

    private void bedrockDoor() {
        List<String> ids = List.of(
                "..",
                "%2e%2e",
                "%00",
                "a".repeat(3000),
                "meta.llama3-8b-instruct-v1%3A0",
                "amazon.titan-embed-text-v2%3A0",
                "arn%3Aaws%3Abedrock%3Aus-east-1%3A999999999999%3Aapplication-inference-profile%2Fabc",
                "arn%3Aaws%3Abedrock%3Aus-east-1%3A123456789012%3Aprompt%2Fabc",
                "%ZZ",
                "%C0%AF",
                "anthropic.claude%2F..%2F..%2Fsecret",
                "arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fadmin",
                "us.anthropic.claude-sonnet-4-5-20250929-v1%3A0%00",
                "%E2%80%AE",
                "UPPER.Case",
                "arn%3Aaws%3Abedrock%3Aap-south-9%3A123456789012%3Afoundation-model%2Fanthropic.claude-x");
        for (String operation :
                List.of("invoke", "converse", "invoke-with-response-stream", "converse-stream", "count-tokens")) {
            for (String id : ids)
                bedrock(
                        "model " + abbreviate(id) + " " + operation,
                        "POST",
                        "/model/" + id + "/" + operation,
                        utf8(BEDROCK_VALID));
        }
        String good = "/bedrock/model/us.anthropic.claude-sonnet-4-6/";
        for (String bad : List.of(
                "", "{", "[]", "null", "{\"messages\":" + "[".repeat(3000) + "]".repeat(3000) + "}", "\u0000\u0001")) {
            bedrock("body " + abbreviate(bad), "POST", good + "invoke", utf8(bad));
            bedrock("converse body " + abbreviate(bad), "POST", good + "converse", utf8(bad));
        }
        bedrock(
                "AWS signature",
                "POST",
                good + "invoke",
                utf8(BEDROCK_VALID),
                "Authorization",
                "AWS4-HMAC-SHA256 Credential=AKIA/20260101/us-east-1/bedrock/aws4_request, SignedHeaders=host, Signature=00");
        bedrock("no credential", "POST", good + "invoke", utf8(BEDROCK_VALID), "Authorization", "");
        bedrock("GET on invoke", "GET", good + "invoke", null);
        bedrock("unknown operation", "POST", good + "explode", utf8(BEDROCK_VALID));
        bedrock("profile id huge", "GET", "/bedrock/inference-profiles/" + "x".repeat(5000), null);
    }

    private void admin(String name, String method, String path, String body) {
        cases.add(new Case(
                "admin " + name,
                RawHttp.request(
                        method,
                        path,
                        headers("Authorization", "Bearer " + adminKey, "Content-Type", "application/json"),
                        body == null ? null : utf8(body)),
                Envelope.ANTHROPIC));
    }

    private void adminApi() {
        String[] badNames = {
            "1", "true", "{}", "[]", "\"\"", "\"" + "n".repeat(5000) + "\"", "\"a\\u0000b\"", "\"tab\\tname\""
        };
        for (String value : badNames) {
            admin(
                    "key name " + abbreviate(value),
                    "POST",
                    "/api/admin/keys",
                    "{\"user_email\":\"k@example.com\",\"name\":" + value + "}");
            admin(
                    "user_name " + abbreviate(value),
                    "POST",
                    "/api/admin/keys",
                    "{\"user_email\":\"k@example.com\",\"user_name\":" + value + "}");
            admin(
                    "patch name " + abbreviate(value),
                    "PATCH",
                    "/api/admin/users/" + userId,
                    "{\"disabled\":true,\"name\":" + value + "}");
        }
        for (String value : new String[] {
            "1e20",
            "0",
            "-1",
            "true",
            "{}",
            "[]",
            "\"+1000000000-01-01T00:00:00Z\"",
            "\"2020-01-01T00:00:00Z\"",
            "\"tomorrow\"",
            "\"2027-13-45T00:00:00Z\"",
            "\"99999-01-01T00:00:00Z\""
        }) {
            admin(
                    "expires_at " + value,
                    "POST",
                    "/api/admin/keys",
                    "{\"user_email\":\"k@example.com\",\"expires_at\":" + value + "}");
        }
        for (String value : new String[] {"1", "\"-bad\"", "\"" + "t".repeat(200) + "\"", "{}", "\"a\\u0000\""}) {
            admin(
                    "team " + abbreviate(value),
                    "POST",
                    "/api/admin/keys",
                    "{\"user_email\":\"k@example.com\",\"team\":" + value + "}");
            admin("patch team " + abbreviate(value), "PATCH", "/api/admin/users/" + userId, "{\"team\":" + value + "}");
        }
        for (String email : new String[] {
            "1", "null", "\"not-an-email\"", "\"" + "e".repeat(400) + "@example.com\"", "\"a@b\\u0000.com\"", "{}"
        }) {
            admin("user_email " + abbreviate(email), "POST", "/api/admin/keys", "{\"user_email\":" + email + "}");
        }
        admin("patch disabled yes", "PATCH", "/api/admin/users/" + userId, "{\"disabled\":\"yes\"}");
        admin("patch unknown user", "PATCH", "/api/admin/users/usr_nobody", "{\"disabled\":true}");
        admin("patch no body", "PATCH", "/api/admin/users/" + userId, "");
        for (String id : List.of("%00", "%C0%AE%C0%AE", "x".repeat(5000), "%FF%FE", "..%2F..")) {
            admin("delete key " + abbreviate(id), "DELETE", "/api/admin/keys/" + id, null);
            admin("get user " + abbreviate(id), "GET", "/api/admin/users/" + id, null);
            admin("get limit " + abbreviate(id), "GET", "/v1/organizations/spend_limits/" + id, null);
        }
        for (String query : List.of(
                "from=%2B1000000000-01-01T00:00:00Z",
                "to=-999999999-01-01",
                "from=yesterday",
                "from=2026-02-30",
                "user=%00",
                "user=a%00b",
                "group_by=colour",
                "group_by=%FF",
                "from=%FF%FE",
                "q=%ZZ",
                "format=%00",
                "limit=99999999999999999999",
                "group_by=" + "user,".repeat(500),
                "from=2026-01-01T00:00:00Z&to=2025-01-01T00:00:00Z")) {
            admin("usage ?" + abbreviate(query), "GET", "/api/admin/usage?" + query, null);
        }
        for (String query :
                List.of("limit=abc", "limit=-1", "limit=0", "limit=99999999999", "after_id=%00", "limit=%FF")) {
            admin("audit ?" + query, "GET", "/api/admin/audit?" + query, null);
            admin("limits ?" + query, "GET", "/v1/organizations/spend_limits?" + query, null);
            admin("limits audit ?" + query, "GET", "/v1/organizations/spend_limits/audit?" + query, null);
        }
        for (String query : List.of("period[]=yearly", "page=0", "page=abc", "user_ids[]=%00", "q=%FF")) {
            admin("effective ?" + query, "GET", "/v1/organizations/spend_limits/effective?" + query, null);
        }
        for (String body : List.of(
                "{}",
                "[]",
                "{\"scope\":1}",
                "{\"scope\":{\"type\":\"user\"},\"period\":\"daily\",\"amount\":\"1\"}",
                "{\"scope\":{\"type\":\"planet\"},\"period\":\"daily\",\"amount\":\"1\"}",
                "{\"scope\":{\"type\":\"organization\"},\"period\":\"hourly\",\"amount\":\"1\"}",
                "{\"scope\":{\"type\":\"organization\"},\"period\":\"daily\",\"amount\":\"-5\"}",
                "{\"scope\":{\"type\":\"organization\"},\"period\":\"daily\",\"amount\":\"1.5\"}",
                "{\"scope\":{\"type\":\"organization\"},\"period\":\"daily\",\"amount\":\"99999999999999999999\"}",
                "{\"scope\":{\"type\":\"organization\"},\"period\":\"daily\",\"amount\":{}}",
                "{\"scope\":{\"type\":\"organization\"},\"period\":\"daily\"}",
                "{\"scope\":{\"type\":\"user\",\"user_id\":\"" + "u".repeat(500)
                        + "\"},\"period\":\"daily\",\"amount\":\"1\"}",
                "{\"scope\":{\"type\":\"rbac_group\",\"rbac_group_id\":{}},\"period\":\"daily\",\"amount\":\"1\"}",
                "{\"scope\":{\"type\":\"organization\"},\"period\":\"daily\",\"amount\":\"1\",\"alert_thresholds\":\"50\"}",
                "{\"scope\":{\"type\":\"organization\"},\"period\":\"daily\",\"amount\":\"1\",\"alert_thresholds\":[0]}",
                "{\"scope\":{\"type\":\"organization\"},\"period\":\"daily\",\"amount\":\"1\",\"alert_thresholds\":[1e9]}",
                "{\"scope\":{\"type\":\"organization\"},\"period\":\"daily\",\"amount\":\"1\",\"alert_thresholds\":[50.5]}",
                "{\"scope\":{\"type\":\"organization\"},\"period\":\"daily\",\"amount\":\"1\",\"alert_thresholds\":"
                        + "[1,2,3,4,5,6,7,8,9,10,11]}")) {
            admin("spend limit " + abbreviate(body), "POST", "/v1/organizations/spend_limits", body);
        }
        String header = "model,region,input,output,cache_read,cache_write_5m,cache_write_1h,regional_premium_percent\n";
        for (String price : List.of(
                "1000000000000000", "1e999999999", "-1", "1e-999999999", "NaN", "Infinity", "0x10", "3,3", "")) {
            cases.add(new Case(
                    "admin prices " + abbreviate(price),
                    RawHttp.request(
                            "POST",
                            "/api/admin/prices",
                            headers("Authorization", "Bearer " + adminKey, "Content-Type", "text/csv"),
                            utf8(header + "*,*," + price + ",15,,,,\n")),
                    Envelope.ANTHROPIC));
        }
        for (String csv : List.of(
                "",
                "garbage",
                header,
                header + "*,*,3,15,,,,\n*,*,3,15,,,,\n",
                header + "x".repeat(100_000) + "\n",
                "\u0000")) {
            cases.add(new Case(
                    "admin price csv " + abbreviate(csv),
                    RawHttp.request(
                            "POST",
                            "/api/admin/prices",
                            headers("Authorization", "Bearer " + adminKey, "Content-Type", "text/csv"),
                            utf8(csv)),
                    Envelope.ANTHROPIC));
        }
        for (String query : List.of(
                "from=2026-13-45",
                "from=" + "9".repeat(5000),
                "to=%00",
                "group_by=%FF",
                "from=0001-01-01&to=+999999999-12-31",
                "from=2026-12-31&to=2026-01-01",
                "group_by=model")) {
            admin("productivity ?" + abbreviate(query), "GET", "/api/admin/productivity?" + query, null);
        }
        admin("export without a target", "POST", "/api/admin/usage/export", "{\"now\":true}");
        admin("export wrong method", "GET", "/api/admin/usage/export", null);
        cases.add(new Case(
                "export with a user key",
                RawHttp.request("POST", "/api/admin/usage/export", headers("x-api-key", userKey), null),
                Envelope.ANTHROPIC));
        admin("user key on admin", "GET", "/api/admin/users", null);
        cases.add(new Case(
                "admin with user key",
                RawHttp.request("GET", "/api/admin/keys", headers("x-api-key", userKey), null),
                Envelope.ANTHROPIC));
        admin("wrong method", "PUT", "/api/admin/keys", "{}");
        for (String body :
                List.of("", "{", "[]", "null", "\"x\"", "{\"a\":" + "[".repeat(100_000) + "]".repeat(100_000) + "}")) {
            admin("keys body " + abbreviate(body), "POST", "/api/admin/keys", body);
        }
    }

    private void selfService() {
        for (String body : List.of(
                "",
                "{",
                "[]",
                "{\"name\":1}",
                "{\"name\":{}}",
                "{\"expires_at\":1e20}",
                "{\"expires_at\":\"+1000000000-01-01T00:00:00Z\"}",
                "{\"name\":\"" + "n".repeat(300) + "\"}",
                "{\"project\":\"bad project!\"}",
                "{\"team\":[]}")) {
            cases.add(new Case(
                    "self key " + abbreviate(body),
                    RawHttp.request(
                            "POST",
                            "/api/keys",
                            headers("x-api-key", userKey, "Content-Type", "application/json"),
                            utf8(body)),
                    Envelope.ANTHROPIC));
        }
        for (String id : List.of("%00", "key_of_someone_else", "x".repeat(3000))) {
            cases.add(new Case(
                    "self revoke " + abbreviate(id),
                    RawHttp.request("DELETE", "/api/keys/" + id, headers("x-api-key", userKey), null),
                    Envelope.ANTHROPIC));
        }
        for (String query : List.of("from=%2B1000000000-01-01", "group_by=%00", "to=%FF")) {
            cases.add(new Case(
                    "self usage ?" + query,
                    RawHttp.request("GET", "/api/usage?" + query, headers("x-api-key", userKey), null),
                    Envelope.ANTHROPIC));
        }
    }

    private void oauth() {
        Map<String, String> form = headers("Content-Type", "application/x-www-form-urlencoded");
        for (String body : List.of(
                "",
                "grant_type=",
                "grant_type=password",
                "grant_type=refresh_token",
                "grant_type=refresh_token&refresh_token=" + "r".repeat(10_000),
                "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Adevice_code",
                "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Adevice_code&device_code=%00",
                "grant_type=%ZZ",
                "%FF%FE=%FF",
                "grant_type=refresh_token&refresh_token=bsgrt_%00",
                "a=" + "b".repeat(100_000),
                "\u0000")) {
            cases.add(new Case(
                    "token " + abbreviate(body),
                    RawHttp.request("POST", "/oauth/token", form, utf8(body)),
                    Envelope.OAUTH));
        }
        for (String body : List.of(
                "token=%00", "token=" + "t".repeat(50_000), "%ZZ", "token=eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.")) {
            cases.add(new Case(
                    "revoke " + abbreviate(body),
                    RawHttp.request("POST", "/oauth/revoke", form, utf8(body)),
                    Envelope.OAUTH));
        }
        cases.add(new Case(
                "device authorization junk",
                RawHttp.request("POST", "/oauth/device_authorization", form, utf8("%ZZ&client_id=" + "c".repeat(5000))),
                Envelope.OAUTH));
    }

    private void pages() {
        for (String query : List.of(
                "state=x&code=y",
                "state=x&error=" + "e".repeat(5000),
                "error=%00",
                "state=%FF%FE&code=%ZZ",
                "state=" + "s".repeat(5000),
                "error=access_denied&error_description=" + "<script>".repeat(500))) {
            cases.add(new Case(
                    "callback ?" + abbreviate(query),
                    RawHttp.request("GET", "/oauth/callback?" + query, Map.of(), null),
                    Envelope.PAGE));
        }
        for (String code : List.of("%00", "x".repeat(5000), "%FF", "BBBB-BBBB", "<script>")) {
            cases.add(new Case(
                    "device page " + abbreviate(code),
                    RawHttp.request("GET", "/device?user_code=" + code, Map.of(), null),
                    Envelope.PAGE));
            cases.add(new Case(
                    "login device " + abbreviate(code),
                    RawHttp.request("GET", "/login?user_code=" + code, Map.of(), null),
                    Envelope.PAGE));
        }
        Map<String, String> form = headers("Content-Type", "application/x-www-form-urlencoded");
        for (String[] origin : new String[][] {
            {"Origin", "::::"},
            {"Referer", "http://["},
            {"Referer", "%%%"},
            {"Origin", "null"},
            {"Referer", "http://evil.example/"},
            {"Origin", "http://127.0.0.1:1"},
            {"Referer", "\u0001"}
        }) {
            Map<String, String> h = new LinkedHashMap<>(form);
            h.put(origin[0], origin[1]);
            cases.add(new Case(
                    "confirm " + origin[0] + " " + abbreviate(origin[1]),
                    RawHttp.request("POST", "/device/confirm", h, utf8("confirmation=x")),
                    Envelope.PAGE));
            cases.add(new Case(
                    "deny " + origin[0] + " " + abbreviate(origin[1]),
                    RawHttp.request("POST", "/device/deny", h, utf8("confirmation=x")),
                    Envelope.PAGE));
            cases.add(new Case(
                    "logout " + origin[0] + " " + abbreviate(origin[1]),
                    RawHttp.request("POST", "/logout", h, utf8("")),
                    Envelope.PAGE));
        }
        cases.add(new Case(
                "device post junk", RawHttp.request("POST", "/device", form, utf8("user_code=%ZZ%00")), Envelope.PAGE));
        console(form);
        cases.add(new Case(
                "home with junk cookie",
                RawHttp.request("GET", "/", headers("Cookie", "bsg_session=" + "x".repeat(3000)), null),
                Envelope.PAGE));
    }

    /** The console's pages and forms, asked with no session, a junk one and an admin key planted as the cookie. */
    private void console(Map<String, String> form) {
        List<String> gets = List.of(
                "/keys",
                "/connect",
                "/keys/%00/revoke",
                "/admin",
                "/admin/users?q=%FF%FE" + "q".repeat(3000),
                "/admin/users/" + "u".repeat(5000),
                "/admin/keys?user=%00&team=<script>&project=" + "p".repeat(3000),
                "/admin/usage?from=99999-01-01&to=x&group=evil&group=day&user=%00",
                "/admin/usage.csv?from=2026-13-45&group=user",
                "/admin/limits",
                "/admin/limits/%2e%2e/delete",
                "/admin/settings?email=%00" + "e".repeat(3000),
                "/admin/audit?from=0000-00-00&to=%FF&actor=%25&action=_",
                "/admin/audit.csv?from=-1",
                "/assets/..%2f..%2fetc%2fpasswd",
                "/assets/%00",
                "/assets/" + "a".repeat(5000));
        List<String> posts = List.of(
                "/keys",
                "/keys/k/revoke",
                "/admin/users/u",
                "/admin/keys/k/revoke",
                "/admin/limits",
                "/admin/limits/l/delete");
        for (String cookie : new String[] {null, "bsg_session=" + "x".repeat(3000), "bsg_session=" + adminKey}) {
            Map<String, String> headers = cookie == null ? Map.of() : headers("Cookie", cookie);
            String who = cookie == null ? "anonymous" : cookie.length() > 200 ? "junk cookie" : "admin key as cookie";
            for (String path : gets) {
                cases.add(new Case(
                        "console GET " + abbreviate(path) + " " + who,
                        RawHttp.request("GET", path, headers, null),
                        Envelope.PAGE));
            }
            Map<String, String> postHeaders = new LinkedHashMap<>(form);
            postHeaders.putAll(headers);
            for (String path : posts) {
                cases.add(new Case(
                        "console POST " + path + " " + who,
                        RawHttp.request(
                                "POST",
                                path,
                                postHeaders,
                                utf8(
                                        "_csrf=x&name=%00&action=disable&scope_type=organization&amount=1e99&disabled=true")),
                        Envelope.PAGE));
            }
        }
    }

    private void raw(String name, String request, Envelope envelope) {
        cases.add(new Case("protocol " + name, request.getBytes(StandardCharsets.ISO_8859_1), envelope));
    }

    private void protocol() {
        String auth = "x-api-key: " + userKey + "\r\nanthropic-version: 2023-06-01\r\n";
        raw(
                "huge header",
                "GET /v1/models HTTP/1.1\r\nHost: a\r\nX-Big: " + "b".repeat(70_000) + "\r\nConnection: close\r\n\r\n",
                Envelope.ANTHROPIC);
        raw(
                "many headers",
                "GET /v1/models HTTP/1.1\r\nHost: a\r\n" + "X-H: v\r\n".repeat(5000) + "Connection: close\r\n\r\n",
                Envelope.ANTHROPIC);
        raw(
                "header without colon",
                "GET /v1/models HTTP/1.1\r\nHost: a\r\nNoColonHere\r\nConnection: close\r\n\r\n",
                Envelope.ANTHROPIC);
        raw(
                "header with NUL",
                "GET /v1/models HTTP/1.1\r\nHost: a\r\nX-A: a\u0000b\r\nConnection: close\r\n\r\n",
                Envelope.ANTHROPIC);
        raw(
                "obs-fold",
                "GET /v1/models HTTP/1.1\r\nHost: a\r\nX-A: a\r\n folded\r\nConnection: close\r\n\r\n",
                Envelope.ANTHROPIC);
        raw(
                "CL and TE",
                "POST /v1/messages HTTP/1.1\r\nHost: a\r\n" + auth
                        + "Content-Length: 4\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n0\r\n\r\n",
                Envelope.ANTHROPIC);
        raw(
                "two CLs",
                "POST /v1/messages HTTP/1.1\r\nHost: a\r\n" + auth
                        + "Content-Length: 4\r\nContent-Length: 9\r\nConnection: close\r\n\r\nabcd",
                Envelope.ANTHROPIC);
        raw(
                "negative CL",
                "POST /v1/messages HTTP/1.1\r\nHost: a\r\n" + auth + "Content-Length: -1\r\nConnection: close\r\n\r\n",
                Envelope.ANTHROPIC);
        raw(
                "text CL",
                "POST /v1/messages HTTP/1.1\r\nHost: a\r\n" + auth + "Content-Length: ten\r\nConnection: close\r\n\r\n",
                Envelope.ANTHROPIC);
        raw(
                "bad chunk",
                "POST /v1/messages HTTP/1.1\r\nHost: a\r\n" + auth
                        + "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\nZZ\r\nabc\r\n0\r\n\r\n",
                Envelope.ANTHROPIC);
        raw(
                "TE gzip",
                "POST /v1/messages HTTP/1.1\r\nHost: a\r\n" + auth
                        + "Transfer-Encoding: gzip, chunked\r\nConnection: close\r\n\r\n0\r\n\r\n",
                Envelope.ANTHROPIC);
        raw(
                "long URI",
                "GET /v1/models?" + "q".repeat(100_000) + " HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n",
                Envelope.ANTHROPIC);
        raw("path %00", "GET /api/admin/keys/%00 HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n", Envelope.ANTHROPIC);
        raw(
                "overlong UTF-8 path",
                "GET /api/admin/users/%C0%AE%C0%AE%C0%AF HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n",
                Envelope.ANTHROPIC);
        raw(
                "bad escape path",
                "GET /v1/mod%GGels HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n",
                Envelope.ANTHROPIC);
        raw(
                "bedrock bad escape",
                "POST /model/%E0%A4%A/invoke HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
                Envelope.BEDROCK);
        raw(
                "dot segments",
                "GET /../../etc/passwd HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n",
                Envelope.ANTHROPIC);
        raw(
                "absolute URI other host",
                "GET http://evil.example/v1/models HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n",
                Envelope.ANTHROPIC);
        raw("no Host", "GET /v1/models HTTP/1.1\r\nConnection: close\r\n\r\n", Envelope.ANTHROPIC);
        raw(
                "two Hosts",
                "GET /v1/models HTTP/1.1\r\nHost: a\r\nHost: b\r\nConnection: close\r\n\r\n",
                Envelope.ANTHROPIC);
        raw("lowercase method", "get /v1/models HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n", Envelope.ANTHROPIC);
        raw("made-up method", "BREW /v1/messages HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n", Envelope.ANTHROPIC);
        raw(
                "garbage request line",
                "\u0016\u0003\u0001\u0002\u0000\u0001\u0000\u01fc\u0003\u0003\r\n\r\n",
                Envelope.ANTHROPIC);
        raw("bare LF", "GET /v1/models HTTP/1.1\nHost: a\nConnection: close\n\n", Envelope.ANTHROPIC);
        raw(
                "space before colon",
                "GET /v1/models HTTP/1.1\r\nHost : a\r\nConnection: close\r\n\r\n",
                Envelope.ANTHROPIC);
        raw(
                "CRLF in header value",
                "GET /v1/models HTTP/1.1\r\nHost: a\r\nX-A: a\rb\r\nConnection: close\r\n\r\n",
                Envelope.ANTHROPIC);
        cases.add(new Case(
                "protocol HTTP/9.9",
                "GET /v1/models HTTP/9.9\r\nHost: a\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1),
                Envelope.ANTHROPIC,
                true));
        cases.add(new Case(
                "protocol HTTP/2.0 text",
                "GET /v1/models HTTP/2.0\r\nHost: a\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1),
                Envelope.ANTHROPIC,
                true));
        raw(
                "bedrock huge header",
                "POST /model/x/invoke HTTP/1.1\r\nHost: a\r\nX-Big: " + "b".repeat(70_000)
                        + "\r\nConnection: close\r\n\r\n",
                Envelope.BEDROCK);
        raw(
                "bedrock smuggling",
                "POST /bedrock/model/us.anthropic.claude-sonnet-4-6/invoke HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\n"
                        + "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n0\r\n\r\n",
                Envelope.BEDROCK);
    }

    static String abbreviate(String text) {
        String shown = text.replaceAll("[\\p{Cntrl}]", "?");
        return shown.length() > 40 ? shown.substring(0, 40) + "…(" + text.length() + ")" : shown;
    }
}
