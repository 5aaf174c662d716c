package dev.bsg.simulator;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;

/**
 * A throwaway certificate for 127.0.0.1 and localhost, made by the JDK's own keytool: a PKCS#12
 * keystore for the server and the certificate as PEM, which a client is told to trust (as AWS tools
 * are with {@code AWS_CA_BUNDLE}).
 */
public record SelfSignedCertificate(Path keystore, String password, Path pem) {

    public static SelfSignedCertificate create() {
        try {
            Path dir = Files.createTempDirectory("bsg-simulator-tls");
            Path keystore = dir.resolve("simulator.p12");
            Path pem = dir.resolve("simulator.pem");
            String password = UUID.randomUUID().toString();
            String keytool =
                    Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
            run(List.of(
                    keytool,
                    "-genkeypair",
                    "-alias",
                    "simulator",
                    "-keyalg",
                    "EC",
                    "-groupname",
                    "secp256r1",
                    "-validity",
                    "2",
                    "-dname",
                    "CN=localhost",
                    "-ext",
                    "san=ip:127.0.0.1,dns:localhost",
                    "-storetype",
                    "PKCS12",
                    "-keystore",
                    keystore.toString(),
                    "-storepass",
                    password));
            run(List.of(
                    keytool,
                    "-exportcert",
                    "-rfc",
                    "-alias",
                    "simulator",
                    "-keystore",
                    keystore.toString(),
                    "-storepass",
                    password,
                    "-file",
                    pem.toString()));
            return new SelfSignedCertificate(keystore, password, pem);
        } catch (IOException e) {
            throw new IllegalStateException("could not make a certificate for the simulator: " + e.getMessage(), e);
        }
    }

    private static void run(List<String> command) throws IOException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (process.waitFor() != 0)
                throw new IOException(String.join(" ", command.subList(0, 2)) + " failed: " + output);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }
}
