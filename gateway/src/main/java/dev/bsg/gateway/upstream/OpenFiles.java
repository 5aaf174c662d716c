package dev.bsg.gateway.upstream;

import com.sun.management.UnixOperatingSystemMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The process's open-file limit, met when a connection to Bedrock is opened: every stream holds the client's
 * socket and, over HTTP/1.1, one to Bedrock. Running out is the operator's to fix, so it is said once in a while
 * in the log with the figures and the fix, and the request gets a plain 503 instead of retries that cannot work.
 */
final class OpenFiles {
    private static final Logger LOG = LoggerFactory.getLogger(OpenFiles.class);
    private static final long LOG_EVERY_NANOS = 10_000_000_000L;
    static final String CLIENT_MESSAGE =
            "the gateway cannot open another connection to Bedrock right now (it is at its open-file limit); retry shortly";

    private final AtomicLong lastLogged = new AtomicLong(System.nanoTime() - LOG_EVERY_NANOS);

    /** True when the failure, or one of its causes, is the process running out of file descriptors (EMFILE/ENFILE). */
    static boolean exhausted(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            String message = t.getMessage();
            if (message != null && (message.contains("Too many open files") || message.contains("too many open files")))
                return true;
        }
        return false;
    }

    void report() {
        long now = System.nanoTime();
        long last = lastLogged.get();
        if (now - last < LOG_EVERY_NANOS || !lastLogged.compareAndSet(last, now)) return;
        // Only the limit: counting the open files would itself need one (the JDK reads /proc/self/fd).
        OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        String figures = os instanceof UnixOperatingSystemMXBean unix
                ? "limit " + unix.getMaxFileDescriptorCount()
                : "limit unknown";
        LOG.error(
                "out of open files ({} reached): requests that need a new connection to Bedrock are answered 503. Each open"
                        + " stream holds 2 files over HTTP/1.1 (1 over HTTP/2): raise the limit (ulimit -n, systemd"
                        + " LimitNOFILE, docker --ulimit nofile=, the container runtime's default) or run more instances;"
                        + " see docs/operations.md, \"Open files\"",
                figures);
    }
}
