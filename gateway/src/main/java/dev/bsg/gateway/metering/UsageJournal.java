package dev.bsg.gateway.metering;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.bsg.protocol.translate.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where usage records wait, on local disk, while the database can't take them: JSON lines appended and
 * forced to disk. Replay takes a whole file at a time; the database ignores a request id it already
 * holds, so a replay cut short and run again never counts a record twice.
 */
final class UsageJournal {
    private static final Logger LOG = LoggerFactory.getLogger(UsageJournal.class);
    private static final String PREFIX = "usage-";
    private final Path directory;
    private FileChannel open;
    private Path openPath;

    UsageJournal(Path directory) {
        this.directory = directory;
    }

    void append(List<UsageRecord> records) throws IOException {
        if (open == null) {
            Files.createDirectories(directory);
            openPath = directory.resolve(PREFIX + System.currentTimeMillis() + "-" + System.nanoTime() + ".jsonl");
            open = FileChannel.open(
                    openPath, StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.WRITE);
        }
        StringBuilder lines = new StringBuilder();
        for (UsageRecord record : records)
            lines.append(Json.MAPPER.writeValueAsString(record)).append('\n');
        ByteBuffer bytes = ByteBuffer.wrap(lines.toString().getBytes(StandardCharsets.UTF_8));
        while (bytes.hasRemaining()) open.write(bytes);
        open.force(false);
    }

    /** A record the database refused, with the reason, in a file of its own beside the journal (not replayed). */
    void deadLetter(String recordJson, String reason) throws IOException {
        Files.createDirectories(directory);
        String line = Json.MAPPER.writeValueAsString(Map.of("at", System.currentTimeMillis(), "reason", reason)) + "\t"
                + recordJson + "\n";
        Files.writeString(
                directory.resolve("dead-letters.jsonl"),
                line,
                StandardCharsets.UTF_8,
                StandardOpenOption.CREATE,
                StandardOpenOption.APPEND);
    }

    /** Files waiting for replay, oldest first; the one being appended to is closed first so it can be replayed too. */
    List<Path> files() throws IOException {
        closeOpen();
        if (!Files.isDirectory(directory)) return List.of();
        try (Stream<Path> listing = Files.list(directory)) {
            return listing.filter(p -> p.getFileName().toString().startsWith(PREFIX)
                            && p.toString().endsWith(".jsonl"))
                    .sorted()
                    .toList();
        }
    }

    /** A file's records; a line torn by a crash mid-append is skipped with a warning. */
    static List<UsageRecord> read(Path file) throws IOException {
        List<UsageRecord> records = new ArrayList<>();
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            if (line.isBlank()) continue;
            try {
                records.add(Json.MAPPER.readValue(line, UsageRecord.class));
            } catch (JsonProcessingException e) {
                LOG.warn("skipping a torn line in usage journal {}", file);
            }
        }
        return records;
    }

    /** Bytes waiting on disk. */
    long size() {
        try {
            long total = 0;
            if (!Files.isDirectory(directory)) return 0;
            try (Stream<Path> listing = Files.list(directory)) {
                for (Path p : listing.filter(p -> p.getFileName().toString().startsWith(PREFIX))
                        .toList()) total += Files.size(p);
            }
            return total;
        } catch (IOException e) {
            return -1;
        }
    }

    void delete(Path file) throws IOException {
        Files.deleteIfExists(file);
    }

    void closeOpen() {
        if (open == null) return;
        try {
            open.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            open = null;
            openPath = null;
        }
    }
}
