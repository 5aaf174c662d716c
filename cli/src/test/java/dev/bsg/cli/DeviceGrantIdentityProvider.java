package dev.bsg.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.CookieManager;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * A real OpenID Connect provider with the device authorization grant, which mock-oauth2-server lacks:
 * panva's certified {@code oidc-provider} under Node.js (scripts/test installs it), run from
 * {@code src/test/idp/device-idp.mjs}. {@link #approve} and {@link #abort} are the person at a browser
 * on another device: open the link bsg printed, confirm the code, sign in, consent.
 */
final class DeviceGrantIdentityProvider implements AutoCloseable {
    private static final Pattern FORM = Pattern.compile("<form[^>]*action=\"([^\"]*)\"");
    private static final Pattern HIDDEN =
            Pattern.compile("<input type=\"hidden\" name=\"([^\"]+)\" value=\"([^\"]*)\"");
    private static final Pattern TITLE = Pattern.compile("<title>([^<]*)</title>");
    private final Process process;
    private final String issuer;

    private DeviceGrantIdentityProvider(Process process, String issuer) {
        this.process = process;
        this.issuer = issuer;
    }

    static DeviceGrantIdentityProvider start() throws Exception {
        Path root = Path.of(System.getenv().getOrDefault("BSG_REPO_ROOT", ".."))
                .toAbsolutePath()
                .normalize();
        Path provider = root.resolve(".tools/node_modules/oidc-provider");
        if (!Files.isDirectory(provider)) {
            String why = "oidc-provider is not installed at " + provider + "; scripts/test installs it";
            if ("true".equals(System.getenv("CI"))) Assertions.fail(why);
            Assumptions.assumeTrue(false, why);
        }
        int port;
        try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = free.getLocalPort();
        }
        Process process = new ProcessBuilder(
                        "node",
                        root.resolve("cli/src/test/idp/device-idp.mjs").toString(),
                        String.valueOf(port),
                        provider.toString())
                .redirectErrorStream(true)
                .start();
        BufferedReader out =
                new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        CompletableFuture<String> listening = CompletableFuture.supplyAsync(() -> {
            StringBuilder seen = new StringBuilder();
            try {
                for (String line; (line = out.readLine()) != null; ) {
                    if (line.startsWith("listening ")) return line.substring("listening ".length());
                    seen.append(line).append('\n');
                }
            } catch (IOException e) {
                seen.append(e);
            }
            throw new IllegalStateException("the device-grant identity provider did not start:\n" + seen);
        });
        String issuer = listening.get(30, TimeUnit.SECONDS);
        Thread.ofVirtual().start(() -> drain(out));
        return new DeviceGrantIdentityProvider(process, issuer);
    }

    private static void drain(BufferedReader out) {
        try {
            while (out.readLine() != null) {
                /* keep the pipe from filling */
            }
        } catch (IOException e) {
            // the provider stopped
        }
    }

    String issuer() {
        return issuer;
    }

    /** The person confirms the code and signs in as {@code email}; returns the title of the page they end on. */
    String approve(String verificationUriComplete, String email) throws Exception {
        return walk(verificationUriComplete, Map.of("confirm", "yes"), email);
    }

    /** The person sees the code and presses Abort. */
    String abort(String verificationUriComplete) throws Exception {
        return walk(verificationUriComplete, Map.of("abort", "yes"), null);
    }

    /** Submits each form the provider shows, as a browser would, until a page has none or asks for a new code. */
    private String walk(String start, Map<String, String> onConfirmation, String email) throws Exception {
        HttpClient browser = HttpClient.newBuilder()
                .cookieHandler(new CookieManager())
                .followRedirects(HttpClient.Redirect.NORMAL)
                .build();
        HttpResponse<String> page =
                browser.send(HttpRequest.newBuilder(URI.create(start)).build(), HttpResponse.BodyHandlers.ofString());
        for (int step = 0; step < 10; step++) {
            Matcher form = FORM.matcher(page.body());
            if (!form.find() || page.body().contains("op.deviceInputForm")) return title(page.body());
            Map<String, String> fields = new LinkedHashMap<>();
            for (Matcher hidden = HIDDEN.matcher(page.body()); hidden.find(); )
                fields.put(hidden.group(1), hidden.group(2));
            String title = title(page.body());
            if (title.equals("Device Login Confirmation")) {
                fields.remove("confirm");
                fields.putAll(onConfirmation);
            }
            if (page.body().contains("name=\"login\"")) {
                fields.put("login", email);
                fields.put("password", "any");
            }
            String body = fields.entrySet().stream()
                    .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
                            + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                    .collect(Collectors.joining("&"));
            page = browser.send(
                    HttpRequest.newBuilder(URI.create(form.group(1)))
                            .header("Content-Type", "application/x-www-form-urlencoded")
                            .POST(HttpRequest.BodyPublishers.ofString(body))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
        }
        throw new IllegalStateException("the sign-in pages did not end; last: " + page.uri());
    }

    private static String title(String html) {
        Matcher title = TITLE.matcher(html);
        return title.find() ? title.group(1) : "";
    }

    @Override
    public void close() {
        process.destroy();
    }
}
