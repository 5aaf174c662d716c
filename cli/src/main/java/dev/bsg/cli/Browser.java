package dev.bsg.cli;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Opens a page in the person's browser: {@code $BROWSER} (or {@code -Dbsg.browser}) when set, else the system's opener ({@code open} on
 * macOS, the URL handler on Windows, {@code xdg-open} under a Linux desktop). The system openers stand in for
 * {@code java.awt.Desktop}, which would put the whole desktop module into the bundled runtime.
 */
final class Browser {
    private Browser() {}

    /** Whether {@link #open} has anything to open a page with here. */
    static boolean available() {
        return command("https://example.invalid") != null;
    }

    /** False when there is no browser to open, or it could not be started. */
    static boolean open(String url) {
        List<String> command = command(url);
        if (command == null) return false;
        try {
            new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start();
            return true;
        } catch (Exception e) {
            return false;
        }
    }

    private static List<String> command(String url) {
        // -Dbsg.browser stands in for $BROWSER where the environment can't be set (tests running bsg in their JVM).
        String browser = System.getProperty("bsg.browser", System.getenv("BROWSER"));
        if (browser != null && !browser.isBlank()) return List.of(browser, url);
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        if (os.startsWith("mac")) return List.of("open", url);
        if (os.startsWith("windows")) return List.of("rundll32", "url.dll,FileProtocolHandler", url);
        boolean desktop = System.getenv("DISPLAY") != null || System.getenv("WAYLAND_DISPLAY") != null;
        return desktop && onPath("xdg-open") ? List.of("xdg-open", url) : null;
    }

    private static boolean onPath(String program) {
        String path = System.getenv("PATH");
        if (path == null) return false;
        for (String dir : path.split(File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, program))) return true;
        }
        return false;
    }
}
