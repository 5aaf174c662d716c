package dev.bsg.gateway.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bsg.gateway.TestGateway;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.openqa.selenium.By;

/** The sign-in pages in a real Chromium, CSP enforced: web sign-in and out, and the device approval Claude Code and bsg login send people to. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BrowserSignInIT {
    SignInStack stack;
    CompanyIdp idp;
    TestGateway gw;

    @BeforeAll
    void start() {
        stack = new SignInStack(Map.of());
        idp = stack.idp;
        gw = stack.gw;
    }

    @AfterAll
    void stop() throws Exception {
        stack.close();
    }

    void nextSignIn(String subject, String email) {
        idp.nextSignIn(subject, email, List.of());
    }

    @Test
    void deviceApprovalCompletesInChromium() throws Exception {
        var device = WebSignInTest.json(gw.send(
                "POST",
                "/oauth/device_authorization",
                "surface=claude_code",
                "Content-Type",
                "application/x-www-form-urlencoded",
                "User-Agent",
                "claude-cli/2.1.332"));
        String userCode = device.get("user_code").asText();
        nextSignIn("ivy-sub", "ivy@example.com");
        try (RealBrowser browser = new RealBrowser()) {
            browser.open(gw.url() + "/device");
            browser.checkPage("device-code");
            browser.find(By.id("user_code"))
                    .sendKeys(userCode.toLowerCase(Locale.ROOT).replace("-", ""));
            browser.click(By.cssSelector("button[type=submit]"));
            assertThat(browser.text()).contains(userCode).contains("claude_code (claude-cli/2.1.332)");
            browser.checkPage("device-grant");
            browser.click(By.linkText("Sign in to continue"));
            assertThat(browser.text())
                    .contains("Approve this device?")
                    .contains("ivy@example.com")
                    .contains(userCode);
            browser.checkPage("device-approve");
            browser.click(By.xpath("//button[text()='Approve']"));
            assertThat(browser.text()).contains("Device connected");
            browser.checkPage("device-connected");
        }
        var tokens = gw.send(
                "POST",
                "/oauth/token",
                "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Adevice_code&device_code="
                        + device.get("device_code").asText(),
                "Content-Type",
                "application/x-www-form-urlencoded");
        assertThat(tokens.statusCode()).as(tokens.body()).isEqualTo(200);
        assertThat(WebSignInTest.json(tokens).get("email").asText()).isEqualTo("ivy@example.com");
    }

    @Test
    void denyingInChromiumTellsTheDevice() throws Exception {
        var device = WebSignInTest.json(gw.send(
                "POST", "/oauth/device_authorization", "", "Content-Type", "application/x-www-form-urlencoded"));
        nextSignIn("jay-sub", "jay@example.com");
        try (RealBrowser browser = new RealBrowser()) {
            browser.open(device.get("verification_uri_complete").asText());
            browser.click(By.linkText("Sign in to continue"));
            browser.click(By.xpath("//button[text()='Deny']"));
            assertThat(browser.text()).contains("not signed in");
        }
        assertThat(WebSignInTest.json(gw.send(
                                "POST",
                                "/oauth/token",
                                "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Adevice_code&device_code="
                                        + device.get("device_code").asText(),
                                "Content-Type",
                                "application/x-www-form-urlencoded"))
                        .get("error")
                        .asText())
                .isEqualTo("access_denied");
    }

    @Test
    void webSignInAndOutInChromium() {
        nextSignIn("kim-sub", "kim@example.com");
        try (RealBrowser browser = new RealBrowser()) {
            browser.open(gw.url() + "/");
            browser.checkPage("landing");
            browser.click(By.linkText("Sign in"));
            assertThat(browser.text()).contains("kim@example.com");
            browser.click(By.xpath("//button[text()='Sign out']"));
            assertThat(browser.text()).contains("Sign in").doesNotContain("kim@example.com");
        }
    }
}
