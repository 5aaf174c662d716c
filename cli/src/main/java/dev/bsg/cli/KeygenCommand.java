package dev.bsg.cli;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
        name = "keygen",
        mixinStandardHelpOptions = true,
        description =
                "Write a new EC P-256 key (JWK, mode 0600) for ES256 session tokens: set session.jwt_key_file to it.")
final class KeygenCommand implements Callable<Integer> {
    @Option(
            names = "--out",
            required = true,
            description = "Where to write the key; an existing file is never overwritten.")
    Path out;

    @Override
    public Integer call() throws IOException {
        ECKey key;
        try {
            key = new ECKeyGenerator(Curve.P_256).keyIDFromThumbprint(true).generate();
        } catch (JOSEException e) {
            throw new CliException("key generation failed: " + e.getMessage());
        }
        try {
            Files.createFile(out);
        } catch (FileAlreadyExistsException e) {
            throw new CliException(out + " already exists; pick another path or remove it first");
        }
        try {
            Files.setPosixFilePermissions(out, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system
        }
        Files.writeString(out, key.toJSONString());
        System.err.println("bsg: wrote " + out + " (key id " + key.getKeyID() + "); set session.jwt_key_file to it");
        return 0;
    }
}
