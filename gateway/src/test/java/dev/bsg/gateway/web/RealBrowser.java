package dev.bsg.gateway.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.logging.Level;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;

/**
 * Headless Chromium (Debian's {@code chromium} and {@code chromium-driver}, which scripts/test installs)
 * driven through Selenium. Every check also reads the browser's log: a CSP violation or a script error
 * fails the test, since an HTTP client enforces neither. Skipped without Chromium, except under CI=true.
 */
final class RealBrowser implements AutoCloseable {
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path DRIVER = Path.of("/usr/bin/chromedriver");
    final ChromeDriver driver;

    RealBrowser() {
        if (!Files.isExecutable(CHROMIUM) || !Files.isExecutable(DRIVER)) {
            String why =
                    "Chromium and chromedriver are not installed (apt-get install chromium chromium-driver; scripts/test does)";
            if ("true".equals(System.getenv("CI"))) fail(why);
            assumeTrue(false, why);
        }
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments(
                "--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--window-size=1200,900");
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(DRIVER.toString()))
                .usingAnyFreePort()
                .build();
        driver = new ChromeDriver(service, options);
        driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30));
    }

    void open(String url) {
        driver.get(url);
        assertCleanLog();
    }

    void click(By by) {
        driver.findElement(by).click();
        for (int i = 0; i < 150 && !"complete".equals(driver.executeScript("return document.readyState")); i++) {
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        assertCleanLog();
    }

    WebElement find(By by) {
        return driver.findElement(by);
    }

    String text() {
        return driver.findElement(By.tagName("body")).getText();
    }

    /** Nothing the browser refused (CSP) or failed to run since the last look. */
    void assertCleanLog() {
        List<LogEntry> entries = driver.manage().logs().get(LogType.BROWSER).getAll();
        assertThat(entries.stream()
                        .filter(e -> e.getLevel().intValue() >= Level.WARNING.intValue()
                                || e.getMessage().contains("Content Security Policy")
                                || e.getMessage().contains("violates"))
                        .map(LogEntry::getMessage)
                        .toList())
                .as("the browser's log on %s", driver.getCurrentUrl())
                .isEmpty();
    }

    @Override
    public void close() {
        driver.quit();
    }
}
