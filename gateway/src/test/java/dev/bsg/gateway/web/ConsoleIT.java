package dev.bsg.gateway.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.anthropic.client.AnthropicClient;
import com.anthropic.client.okhttp.AnthropicOkHttpClient;
import com.anthropic.errors.PermissionDeniedException;
import com.anthropic.errors.UnauthorizedException;
import com.anthropic.models.messages.Message;
import com.anthropic.models.messages.MessageCreateParams;
import dev.bsg.gateway.TestGateway;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.openqa.selenium.By;
import org.openqa.selenium.Cookie;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.interactions.Actions;

/**
 * The console in a real Chromium with its CSP enforced, axe-core checking every page, on a phone's width and a
 * desktop's: a person signs in, makes a key, uses it with the Anthropic SDK, sees the usage and revokes the key; an
 * admin finds them, disables them (their key is refused), sets a spend limit and reads the audit log.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ConsoleIT {
    SignInStack stack;
    CompanyIdp idp;
    TestGateway gw;

    Path bundles;

    @BeforeAll
    void start() throws Exception {
        bundles = Files.createTempDirectory("bsg-bundles");
        Files.write(bundles.resolve("bsg-linux-x64.tar.gz"), new byte[300_000]);
        Files.writeString(bundles.resolve("bsg-windows-x64.zip"), "PK windows bundle");
        stack = new SignInStack(
                Map.of("BSG_ADMIN__EMAILS", "admin@example.com", "BSG_DOWNLOADS__DIR", bundles.toString()));
        idp = stack.idp;
        gw = stack.gw;
    }

    @AfterAll
    void stop() throws Exception {
        stack.close();
    }

    private void signIn(RealBrowser browser, String subject, String email, List<String> groups) {
        idp.nextSignIn(subject, email, groups);
        browser.open(gw.url() + "/");
        browser.click(By.linkText("Sign in"));
        assertThat(browser.text()).contains(email);
    }

    private void runBackgroundTasks() {
        try {
            gw.gateway.runBackgroundTasksNow();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static AnthropicClient client(String url, String key) {
        return AnthropicOkHttpClient.builder()
                .baseUrl(url)
                .apiKey(key)
                .maxRetries(0)
                .build();
    }

    private static Message hello(AnthropicClient client) {
        return client.messages()
                .create(MessageCreateParams.builder()
                        .model("claude-sonnet-4-5")
                        .maxTokens(64)
                        .addUserMessage("hello from the console test")
                        .build());
    }

    @Test
    void aPersonMakesAKeyUsesItSeesTheUsageAndRevokesIt() {
        try (RealBrowser browser = new RealBrowser()) {
            signIn(browser, "ada-sub", "ada@example.com", List.of("eng"));
            browser.checkPage("my-usage-empty");
            assertThat(browser.text()).contains("My usage").contains("in groups eng");
            assertThat(browser.driver.findElements(By.linkText("Users")))
                    .as("no admin menu for a non-admin")
                    .isEmpty();

            browser.click(By.linkText("My keys"));
            browser.checkPage("my-keys");
            browser.find(By.id("name")).sendKeys("laptop");
            browser.find(By.id("project")).sendKeys("atlas");
            browser.click(By.xpath("//button[text()='Create key']"));
            browser.checkPage("key-created");
            String secret = browser.find(By.id("secret")).getText();
            assertThat(secret).matches("SSOK_[0-9A-Za-z]{32}");

            AnthropicClient client = client(gw.url(), secret);
            assertThat(hello(client).content()).isNotEmpty();
            String metrics = "{\"resourceMetrics\":[{\"scopeMetrics\":[{\"metrics\":[{\"name\":"
                    + "\"claude_code.commit.count\",\"sum\":{\"aggregationTemporality\":1,\"dataPoints\":"
                    + "[{\"asInt\":\"7\"}]}}]}]}]}";
            assertThat(gw.send("POST", "/v1/metrics", metrics, "x-api-key", secret, "Content-Type", "application/json")
                            .statusCode())
                    .isEqualTo(200);
            runBackgroundTasks();
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                browser.open(gw.url() + "/");
                assertThat(browser.text()).contains("claude-sonnet-4-5").contains("Total this month");
            });
            assertThat(browser.text())
                    .contains("Claude Code this month, from its own telemetry")
                    .contains("7 commits");
            browser.checkPage("my-usage");

            browser.open(gw.url() + "/keys");
            assertThat(browser.find(By.xpath("//tr[td[text()='laptop']]")).getText())
                    .as("the key's row says when it was last used")
                    .contains("active")
                    .contains("never " + LocalDate.now(ZoneOffset.UTC)); // expires never, last used today
            browser.click(By.partialLinkText("Revoke"));
            assertThat(browser.text()).contains("Revoke this key?").contains("laptop");
            browser.checkPage("key-revoke-confirm");
            browser.click(By.xpath("//button[text()='Revoke the key']"));
            assertThat(browser.text()).contains("Revoked \"laptop\"").contains("revoked");
            assertThatThrownBy(() -> hello(client)).isInstanceOf(UnauthorizedException.class);

            browser.click(By.linkText("Connect"));
            browser.checkPage("connect");
            assertThat(browser.text()).contains("ANTHROPIC_BASE_URL=" + gw.gateway.publicUrl());
        }
    }

    @Test
    void anAdminDisablesSomeoneSetsALimitAndReadsTheAudit() throws Exception {
        String bobKey = gw.newUserKey("bob@example.com");
        AnthropicClient bob = client(gw.url(), bobKey);
        assertThat(hello(bob).content()).isNotEmpty();
        try (RealBrowser browser = new RealBrowser()) {
            signIn(browser, "admin-sub", "admin@example.com", List.of());
            browser.click(By.linkText("Users"));
            browser.checkPage("admin-users");
            browser.find(By.name("q")).sendKeys("bob");
            browser.click(By.xpath("//button[text()='Search']"));
            browser.click(By.linkText("bob@example.com"));
            browser.checkPage("admin-user");
            browser.click(By.xpath("//button[text()='Disable']"));
            assertThat(browser.text()).contains("Disabled: their keys and sessions are refused.");
            assertThatThrownBy(() -> hello(bob)).isInstanceOf(PermissionDeniedException.class);
            browser.click(By.xpath("//button[text()='Enable']"));
            assertThat(hello(bob).content()).isNotEmpty();

            browser.click(By.linkText("Limits"));
            browser.checkPage("admin-limits");
            browser.find(By.id("scope")).sendKeys("bob@example.com");
            browser.find(By.id("amount")).sendKeys("12.50");
            browser.find(By.id("alerts")).sendKeys("90, 60");
            browser.click(By.xpath("//button[text()='Save limit']"));
            assertThat(browser.text()).contains("Saved: monthly $12.50 for bob@example.com");
            assertThat(browser.find(By.xpath("//tr[td[text()='bob@example.com']]"))
                            .getText())
                    .contains("60, 90 %");
            browser.click(By.partialLinkText("Edit"));
            assertThat(browser.find(By.id("amount")).getAttribute("value")).isEqualTo("12.50");
            assertThat(browser.find(By.id("alerts")).getAttribute("value")).isEqualTo("60, 90");
            assertThat(browser.find(By.id("scope")).getAttribute("value")).isEqualTo("bob@example.com");
            browser.find(By.id("amount")).clear();
            browser.find(By.id("amount")).sendKeys("20");
            browser.click(By.xpath("//button[text()='Save limit']"));
            assertThat(browser.text())
                    .contains("Saved: monthly $20.00 for bob@example.com")
                    .doesNotContain("$12.50");
            assertThat(browser.find(By.xpath("//tr[td[text()='bob@example.com']]"))
                            .getText())
                    .as("kept through the edit")
                    .contains("60, 90 %");
            browser.click(By.partialLinkText("Delete"));
            browser.click(By.xpath("//button[text()='Delete the limit']"));
            assertThat(browser.text()).contains("Deleted.").contains("No spend limits");
            browser.find(By.id("amount")).sendKeys("twelve");
            browser.find(By.id("scope")).sendKeys("bob@example.com");
            browser.click(By.xpath("//button[text()='Save limit']"));
            assertThat(browser.text()).contains("amount: dollars and cents");

            browser.click(By.linkText("Keys"));
            browser.checkPage("admin-keys");
            assertThat(browser.find(By.xpath("//tr[td[text()='bob@example.com']]"))
                            .getText())
                    .as("expires never, last used today")
                    .contains("never " + LocalDate.now(ZoneOffset.UTC));

            browser.click(By.linkText("Usage"));
            browser.checkPage("admin-usage");
            String cookie = WebSignIn.COOKIE + "="
                    + browser.driver.manage().getCookieNamed(WebSignIn.COOKIE).getValue();
            String range =
                    "from=" + LocalDate.now(ZoneOffset.UTC).withDayOfMonth(1) + "&to=" + LocalDate.now(ZoneOffset.UTC);
            String console = HttpClient.newHttpClient()
                    .send(
                            HttpRequest.newBuilder(
                                            URI.create(gw.url() + "/admin/usage.csv?group=user&group=model&" + range))
                                    .header("Cookie", cookie)
                                    .build(),
                            HttpResponse.BodyHandlers.ofString())
                    .body();
            String api = gw.admin(
                            "GET",
                            "/api/admin/usage?group_by=user,model&format=csv&from="
                                    + LocalDate.now(ZoneOffset.UTC).withDayOfMonth(1) + "&to="
                                    + LocalDate.now(ZoneOffset.UTC).plusDays(1),
                            null)
                    .body();
            assertThat(console)
                    .as("the console's totals are the API's, to the nanodollar")
                    .isEqualTo(api);
            assertThat(console).contains("bob@example.com,");

            String metrics = "{\"resourceMetrics\":[{\"scopeMetrics\":[{\"metrics\":[{\"name\":"
                    + "\"claude_code.lines_of_code.count\",\"sum\":{\"aggregationTemporality\":1,\"dataPoints\":"
                    + "[{\"attributes\":[{\"key\":\"type\",\"value\":{\"stringValue\":\"added\"}}],"
                    + "\"asInt\":\"1234\"}]}}]}]}]}";
            assertThat(gw.send("POST", "/v1/metrics", metrics, "x-api-key", bobKey, "Content-Type", "application/json")
                            .statusCode())
                    .isEqualTo(200);
            gw.gateway.runBackgroundTasksNow();
            browser.click(By.linkText("Productivity"));
            browser.checkPage("admin-productivity");
            assertThat(browser.find(By.xpath("//tr[td[text()='bob@example.com']]"))
                            .getText())
                    .contains("1234");
            browser.find(By.xpath("//select[@name='by']/option[@value='day']")).click();
            browser.click(By.xpath("//button[text()='Show']"));
            assertThat(browser.find(By.xpath("//tr[td[text()='" + LocalDate.now(ZoneOffset.UTC) + "']]"))
                            .getText())
                    .contains("1234");
            browser.checkPage("admin-productivity-by-day");
            browser.click(By.linkText("Policies"));
            browser.checkPage("admin-settings");
            assertThat(browser.text()).contains("Every list put in force").contains("by shipped");
            browser.click(By.linkText("Audit"));
            browser.checkPage("admin-audit");
            assertThat(browser.text()).contains("user.disable").contains("admin.limit.upsert");
        }
    }

    @Test
    void aKeyCanBeMadeWithTheKeyboardAlone() {
        try (RealBrowser browser = new RealBrowser()) {
            signIn(browser, "kit-sub", "kit@example.com", List.of());
            browser.open(gw.url() + "/keys");
            Actions keys = new Actions(browser.driver);
            keys.sendKeys(Keys.TAB).perform();
            assertThat(browser.driver.switchTo().activeElement().getText())
                    .as("the first stop skips to the content")
                    .isEqualTo("Skip to content");
            keys.sendKeys(Keys.ENTER).perform();
            WebElement focused = null;
            for (int i = 0; i < 30; i++) {
                keys.sendKeys(Keys.TAB).perform();
                focused = browser.driver.switchTo().activeElement();
                if ("name".equals(focused.getAttribute("id"))) break;
            }
            assertThat(focused.getAttribute("id"))
                    .as("Tab reaches the name field")
                    .isEqualTo("name");
            keys.sendKeys("keyboard").sendKeys(Keys.ENTER).perform();
            await().atMost(Duration.ofSeconds(10)).until(() -> browser.text().contains("Your new key"));
            browser.assertCleanLog();
            assertThat(browser.find(By.id("secret")).getText()).startsWith("SSOK_");
        }
    }

    @Test
    void signedInPeopleGetTheBundlesAndNothingElseFromTheFolder() throws Exception {
        try (RealBrowser browser = new RealBrowser()) {
            signIn(browser, "dee-sub", "dee@example.com", List.of());
            browser.click(By.linkText("Get bsg"));
            browser.checkPage("downloads");
            assertThat(browser.text())
                    .contains("bsg-linux-x64.tar.gz")
                    .contains("Linux, 293 KB")
                    .contains("bsg-windows-x64.zip")
                    .contains("bsg login --gateway " + gw.gateway.publicUrl());
            String cookie = WebSignIn.COOKIE + "="
                    + browser.driver.manage().getCookieNamed(WebSignIn.COOKIE).getValue();
            HttpClient http = HttpClient.newHttpClient();
            HttpResponse<byte[]> bundle = http.send(
                    HttpRequest.newBuilder(URI.create(gw.url() + "/downloads/bsg-linux-x64.tar.gz"))
                            .header("Cookie", cookie)
                            .build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            assertThat(bundle.statusCode()).isEqualTo(200);
            assertThat(bundle.body()).isEqualTo(Files.readAllBytes(bundles.resolve("bsg-linux-x64.tar.gz")));
            assertThat(bundle.headers().firstValue("content-disposition"))
                    .hasValue("attachment; filename=\"bsg-linux-x64.tar.gz\"");
            for (String path : List.of("/downloads/..%2Fconsole.db", "/downloads/%2e%2e", "/downloads/.hidden")) {
                HttpResponse<String> outside = http.send(
                        HttpRequest.newBuilder(URI.create(gw.url() + path))
                                .header("Cookie", cookie)
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(outside.statusCode()).as(path).isIn(400, 404);
            }
            HttpResponse<String> anonymous = http.send(
                    HttpRequest.newBuilder(URI.create(gw.url() + "/downloads/bsg-linux-x64.tar.gz"))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(anonymous.statusCode()).isEqualTo(303);
        }
    }

    @Test
    void adminPagesAre403ForOthersAndFormsNeedTheirToken() throws Exception {
        try (RealBrowser browser = new RealBrowser()) {
            signIn(browser, "cy-sub", "cy@example.com", List.of());
            browser.open(gw.url() + "/admin/users");
            assertThat(browser.text()).contains("Admins only");
            browser.checkPage("admin-only");
            Cookie session = browser.driver.manage().getCookieNamed(WebSignIn.COOKIE);
            HttpClient http = HttpClient.newHttpClient();
            HttpResponse<String> forged = http.send(
                    HttpRequest.newBuilder(URI.create(gw.url() + "/keys"))
                            .header("Cookie", WebSignIn.COOKIE + "=" + session.getValue())
                            .header("Origin", gw.url())
                            .header("Content-Type", "application/x-www-form-urlencoded")
                            .POST(HttpRequest.BodyPublishers.ofString("name=stolen"))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(forged.statusCode()).isEqualTo(403);
            HttpResponse<String> admin = http.send(
                    HttpRequest.newBuilder(URI.create(gw.url() + "/admin/usage.csv"))
                            .header("Cookie", WebSignIn.COOKIE + "=" + session.getValue())
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(admin.statusCode()).isEqualTo(403);
            assertThat(gw.gateway
                            .keys()
                            .ofUser(gw.gateway
                                    .users()
                                    .byEmail("cy@example.com")
                                    .orElseThrow()
                                    .id()))
                    .isEmpty();
        }
    }
}
