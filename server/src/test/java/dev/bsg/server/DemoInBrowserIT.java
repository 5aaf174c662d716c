package dev.bsg.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bsg.gateway.web.RealBrowser;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.logging.LogType;

/**
 * The demo as someone trying it meets it: ./bsg serve --demo, sign in through its development identity provider in
 * Chromium as admin@example.com, and the console's admin pages show the demo's own user and key.
 */
class DemoInBrowserIT {
    @Test
    void theDemosConsoleSignsInAnAdminThroughItsIdentityProvider() throws Exception {
        ServeDemoProcessIT.Demo demo = ServeDemoProcessIT.startDemo();
        try (RealBrowser browser = new RealBrowser()) {
            browser.open(demo.url() + "/");
            browser.checkPage("demo-landing");
            browser.follow(By.linkText("Sign in"));
            // The identity provider's own page is not ours to hold to our CSP: its log is set aside.
            browser.find(By.name("username")).sendKeys("admin@example.com");
            browser.follow(By.cssSelector("[type=submit]"));
            browser.driver.manage().logs().get(LogType.BROWSER);
            assertThat(browser.text()).contains("admin@example.com").contains("My usage");
            browser.click(By.linkText("Users"));
            browser.checkPage("demo-admin-users");
            assertThat(browser.text()).contains("demo@example.com");
            browser.click(By.linkText("Keys"));
            assertThat(browser.text()).contains("demo@example.com").contains("active");
        } finally {
            demo.process().destroy();
            demo.process().waitFor(30, TimeUnit.SECONDS);
            demo.process().destroyForcibly();
        }
    }
}
