package dev.bsg.gateway.metering;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;

/** Where exported files go: a folder, or an S3 bucket under a prefix. Each put replaces any file of that name whole. */
public interface ExportTarget extends AutoCloseable {

    void put(String relativePath, byte[] content);

    @Override
    default void close() {}

    /**
     * {@code s3://bucket/prefix} (standard AWS credentials and region; {@code AWS_ENDPOINT_URL_S3} for an S3-compatible
     * server, reached by path-style addressing when {@code pathStyle}), or a folder.
     */
    static ExportTarget of(String to, boolean pathStyle) {
        if (to.startsWith("s3://")) {
            URI uri = URI.create(to);
            String prefix = uri.getPath() == null ? "" : uri.getPath().replaceAll("^/+|/+$", "");
            // Checksums only where S3 requires them: the SDK's default (aws-chunked uploads with trailing CRCs) is
            // refused by many S3-compatible servers, and S3 itself does not need it for a signed PUT.
            S3Client s3 = S3Client.builder()
                    .httpClient(UrlConnectionHttpClient.create())
                    .forcePathStyle(pathStyle)
                    .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                    .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                    .build();
            return new Bucket(s3, uri.getHost(), prefix.isEmpty() ? "" : prefix + "/");
        }
        return new Folder(Path.of(to));
    }

    /** Files written beside their final name, then moved over it in one step, so a reader never sees half a file. */
    record Folder(Path root) implements ExportTarget {
        @Override
        public void put(String relativePath, byte[] content) {
            Path file = root.resolve(relativePath).normalize();
            if (!file.startsWith(root.normalize())) throw new IllegalArgumentException(relativePath);
            try {
                Files.createDirectories(file.getParent());
                Path partial = file.resolveSibling("." + file.getFileName() + ".partial");
                Files.write(partial, content);
                Files.move(partial, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    record Bucket(S3Client s3, String bucket, String prefix) implements ExportTarget {
        @Override
        public void put(String relativePath, byte[] content) {
            s3.putObject(
                    PutObjectRequest.builder()
                            .bucket(bucket)
                            .key(prefix + relativePath)
                            .contentType("application/vnd.apache.parquet")
                            .build(),
                    RequestBody.fromBytes(content));
        }

        @Override
        public void close() {
            s3.close();
        }
    }
}
