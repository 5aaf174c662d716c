package dev.bsg.gateway.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.logging.Level;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
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
public final class RealBrowser implements AutoCloseable {
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path DRIVER = Path.of("/usr/bin/chromedriver");
    public final ChromeDriver driver;

    public RealBrowser() {
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
        driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(30));
    }

    public void open(String url) {
        driver.get(url);
        assertCleanLog();
    }

    /**
     * Clicks, and when the click leaves the page (a link, a submit button) waits until the next page has replaced
     * it and loaded: the old document can still answer "complete" for a moment after a form is submitted.
     */
    public void click(By by) {
        follow(by);
        assertCleanLog();
    }

    /** {@link #click} without reading the log, for pages that are not ours, such as an identity provider's. */
    public void follow(By by) {
        WebElement target = driver.findElement(by);
        boolean navigates = Boolean.TRUE.equals(driver.executeScript(
                "const e = arguments[0];"
                        + "if (e.closest('a[href]')) return !e.closest('a[href]').getAttribute('href').startsWith('#');"
                        + "const b = e.closest('button, input');"
                        + "return !!(b && b.form && (b.type || 'submit') === 'submit');",
                target));
        WebElement page = driver.findElement(By.tagName("html"));
        target.click();
        if (navigates) await().atMost(Duration.ofSeconds(15)).until(() -> isGone(page));
        await().atMost(Duration.ofSeconds(15))
                .until(() -> "complete".equals(driver.executeScript("return document.readyState")));
    }

    private static boolean isGone(WebElement element) {
        try {
            element.isEnabled();
            return false;
        } catch (StaleElementReferenceException e) {
            return true;
        }
    }

    public WebElement find(By by) {
        return driver.findElement(by);
    }

    public String text() {
        return driver.findElement(By.tagName("body")).getText();
    }

    /**
     * The page as a person meets it: no CSP violation or script error, no serious or critical axe-core finding, and
     * nothing wider than the screen on a 390 px phone or a 1440 px desktop; a screenshot of each is written to
     * {@code target/screenshots/NAME-WIDTH.png}.
     */
    public void checkPage(String name) {
        assertCleanLog();
        assertAccessible();
        Dimension before = driver.manage().window().getSize();
        try {
            for (int width : new int[] {390, 1440}) {
                driver.manage().window().setSize(new Dimension(width, 900));
                Path shot = Path.of("target", "screenshots", name + "-" + width + ".png");
                Files.createDirectories(shot.getParent());
                Files.write(shot, driver.getScreenshotAs(OutputType.BYTES));
                Object overflow = driver.executeScript(
                        "return document.documentElement.scrollWidth - document.documentElement.clientWidth;");
                assertThat(((Number) overflow).intValue())
                        .as("%s is wider than a %d px window (see %s)", driver.getCurrentUrl(), width, shot)
                        .isLessThanOrEqualTo(0);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            driver.manage().window().setSize(before);
        }
        assertCleanLog();
    }

    /** axe-core (scripts/test installs it into .tools) finds nothing serious or critical on this page. */
    public void assertAccessible() {
        driver.executeScript(axeSource());
        Object found = driver.executeAsyncScript("const done = arguments[arguments.length - 1];"
                + "axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}})"
                + ".then(r => done(r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical')"
                + ".map(v => v.id + ' (' + v.impact + '): ' + v.help + ' at ' + v.nodes.map(n => n.target.join(' ')).join(', '))))"
                + ".catch(e => done(['axe failed: ' + e]));");
        assertThat((List<?>) found).as("axe-core on %s", driver.getCurrentUrl()).isEmpty();
    }

    private static String axe;

    private static synchronized String axeSource() {
        if (axe != null) return axe;
        Path root = Path.of(System.getenv().getOrDefault("BSG_REPO_ROOT", ".."));
        Path script = root.resolve(".tools/node_modules/axe-core/axe.min.js");
        if (!Files.isReadable(script)) {
            String why = "axe-core is not installed at " + script + " (scripts/test installs it)";
            if ("true".equals(System.getenv("CI"))) fail(why);
            assumeTrue(false, why);
        }
        try {
            axe = Files.readString(script);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return axe;
    }

    /** Nothing the browser refused (CSP) or failed to run since the last look. */
    public void assertCleanLog() {
        List<LogEntry> entries = driver.manage().logs().get(LogType.BROWSER).getAll();
        // The page's own status (a 403 for a non-admin, say) is the test's to check; anything it loads must succeed.
        String page = driver.getCurrentUrl() + " - Failed to load resource";
        assertThat(entries.stream()
                        .filter(e -> !e.getMessage().startsWith(page))
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
