package dev.bsg.gateway.web;

import dev.bsg.gateway.http.Exchange;
import dev.bsg.gateway.http.StreamSink;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * "Get bsg": the end-user bundles an admin built with {@code bsg package} (one per system, already configured for
 * this gateway) and put in {@code downloads.dir}, offered to signed-in people. Only a file the folder lists is
 * served, by its exact name, so no path reaches outside it.
 */
public final class Downloads {
    private static final Logger LOG = LoggerFactory.getLogger(Downloads.class);
    private static final int CHUNK = 64 * 1024;
    private final Path folder;

    /** A bundle on offer. */
    public record Bundle(String name, String system, String size, boolean yours) {}

    Downloads(Path folder) {
        this.folder = folder;
    }

    boolean configured() {
        return folder != null;
    }

    /** The bundles in the folder, the one for the visitor's system (by User-Agent) marked. */
    List<Bundle> list(String userAgent) {
        List<Bundle> bundles = new ArrayList<>();
        if (folder == null) return bundles;
        String visitor = system(userAgent == null ? "" : userAgent);
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(folder)) {
            for (Path entry : entries) {
                if (!Files.isRegularFile(entry)
                        || entry.getFileName().toString().startsWith(".")) continue;
                String name = entry.getFileName().toString();
                String system = system(name);
                bundles.add(new Bundle(name, system, size(Files.size(entry)), system.equals(visitor)));
            }
        } catch (IOException e) {
            LOG.warn("downloads.dir {} can't be read: {}", folder, e.getMessage());
        }
        bundles.sort((a, b) -> a.name().compareTo(b.name()));
        return bundles;
    }

    /** Sends the named bundle; false when there is no such file in the folder. */
    boolean send(Exchange exchange, String name) {
        Path file = null;
        for (Bundle bundle : list(null)) if (bundle.name().equals(name)) file = folder.resolve(bundle.name());
        if (file == null) return false;
        try (InputStream in = Files.newInputStream(file)) {
            exchange.setHeader("Content-Length", Long.toString(Files.size(file)));
            exchange.setHeader("Content-Disposition", "attachment; filename=\"" + name.replace("\"", "") + "\"");
            exchange.setHeader("X-Content-Type-Options", "nosniff");
            StreamSink sink = exchange.startStream(200, "application/octet-stream");
            byte[] buffer = new byte[CHUNK];
            for (int read = in.read(buffer); read >= 0; read = in.read(buffer)) {
                if (read > 0) written(sink, ByteBuffer.wrap(buffer, 0, read), false);
            }
            written(sink, ByteBuffer.allocate(0), true);
        } catch (IOException e) {
            exchange.abort(e);
        }
        return true;
    }

    /** Waits until the bytes reached the client, so the buffer can be reused (the handler runs on its own thread). */
    private static void written(StreamSink sink, ByteBuffer bytes, boolean last) throws IOException {
        CompletableFuture<Void> done = new CompletableFuture<>();
        sink.write(bytes, last, Callback.from(() -> done.complete(null), done::completeExceptionally));
        try {
            done.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while sending", e);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
        }
    }

    static String system(String text) {
        String t = text.toLowerCase(Locale.ROOT);
        if (t.contains("windows") || t.contains("win64") || t.contains("win32")) return "Windows";
        if (t.contains("mac") || t.contains("darwin")) return "macOS";
        if (t.contains("linux") || t.contains("x11")) return "Linux";
        return "other";
    }

    private static String size(long bytes) {
        return bytes >= 1024 * 1024
                ? String.format(Locale.ROOT, "%.1f MB", bytes / (1024.0 * 1024))
                : String.format(Locale.ROOT, "%d KB", Math.max(1, Math.round(bytes / 1024.0)));
    }
}
