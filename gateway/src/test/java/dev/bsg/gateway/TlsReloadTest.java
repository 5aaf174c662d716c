package dev.bsg.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bsg.gateway.settings.SettingsException;
import dev.bsg.gateway.settings.SettingsLoader;
import dev.bsg.simulator.SelfSignedCertificate;
import java.io.FileInputStream;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;

/** server.tls: the gateway serves HTTPS from PEM files and puts a renewed pair in force without a restart. */
class TlsReloadTest {
    private record Pair(Certificate certificate, String certificatePem, String keyPem) {}

    private static Pair pair() throws Exception {
        SelfSignedCertificate made = SelfSignedCertificate.create();
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = new FileInputStream(made.keystore().toFile())) {
            store.load(in, made.password().toCharArray());
        }
        String alias = store.aliases().nextElement();
        byte[] key = store.getKey(alias, made.password().toCharArray()).getEncoded();
        String keyPem = "-----BEGIN PRIVATE KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                        .encodeToString(key)
                + "\n-----END PRIVATE KEY-----\n";
        return new Pair(store.getCertificate(alias), Files.readString(made.pem()), keyPem);
    }

    private static void install(Pair pair, Path cert, Path key, int secondsLater) throws Exception {
        Files.writeString(cert, pair.certificatePem());
        Files.writeString(key, pair.keyPem());
        FileTime later = FileTime.from(Instant.now().plusSeconds(secondsLater));
        Files.setLastModifiedTime(cert, later);
        Files.setLastModifiedTime(key, later);
    }

    private static SSLContext trusting(Pair... pairs) throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        for (int i = 0; i < pairs.length; i++) trust.setCertificateEntry("c" + i, pairs[i].certificate());
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(trust);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, factory.getTrustManagers(), null);
        return context;
    }

    private static Certificate served(SSLContext context, TestGateway gw) throws Exception {
        URI url = URI.create(gw.url());
        try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket(url.getHost(), url.getPort())) {
            socket.startHandshake();
            return socket.getSession().getPeerCertificates()[0];
        }
    }

    private static TestGateway withTls(TestDatabase db, Path cert, Path key) {
        return TestGateway.start(
                db.url(),
                Map.of("BSG_SERVER__TLS__CERT_FILE", cert.toString(), "BSG_SERVER__TLS__KEY_FILE", key.toString()));
    }

    @Test
    void servesHttpsAndPutsARenewedCertificateInForceWithoutARestart() throws Exception {
        Pair first = pair();
        Pair renewed = pair();
        Path dir = Files.createTempDirectory("bsg-tls");
        Path cert = dir.resolve("tls.crt");
        Path key = dir.resolve("tls.key");
        install(first, cert, key, 0);
        SSLContext context = trusting(first, renewed);
        try (TestDatabase db = TestDatabase.sqlite();
                TestGateway gw = withTls(db, cert, key)) {
            assertThat(gw.url()).startsWith("https://");
            HttpClient client = HttpClient.newBuilder().sslContext(context).build();
            assertThat(client.send(
                                    HttpRequest.newBuilder(URI.create(gw.url() + "/healthz"))
                                            .build(),
                                    HttpResponse.BodyHandlers.ofString())
                            .statusCode())
                    .isEqualTo(200);
            assertThat(served(context, gw)).isEqualTo(first.certificate());

            install(renewed, cert, key, 2);
            gw.gateway.runBackgroundTasksNow();
            assertThat(served(context, gw))
                    .as("the renewed pair, without a restart")
                    .isEqualTo(renewed.certificate());

            // Half a rotation (the new certificate, the old key) is refused; the working pair keeps serving.
            Files.writeString(cert, first.certificatePem());
            Files.setLastModifiedTime(cert, FileTime.from(Instant.now().plusSeconds(4)));
            gw.gateway.runBackgroundTasksNow();
            assertThat(served(context, gw)).isEqualTo(renewed.certificate());
            assertThat(gw.gateway.backgroundTasks().get("tls-reload").failed()).isZero();
        }
    }

    @Test
    void anUnusablePairStopsTheStartWithWhatToDo() throws Exception {
        Pair one = pair();
        Pair other = pair();
        Path dir = Files.createTempDirectory("bsg-tls");
        Path cert = dir.resolve("tls.crt");
        Path key = dir.resolve("tls.key");
        Files.writeString(cert, one.certificatePem());
        Files.writeString(key, other.keyPem());
        try (TestDatabase db = TestDatabase.sqlite()) {
            assertThatThrownBy(() -> withTls(db, cert, key))
                    .hasMessageContaining("is not the key of the first certificate");
            Files.writeString(key, "-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n");
            assertThatThrownBy(() -> withTls(db, cert, key)).hasMessageContaining("openssl pkcs8 -topk8");
        }
        assertThatThrownBy(() -> SettingsLoader.load(null, Map.of("BSG_SERVER__TLS__CERT_FILE", cert.toString())))
                .isInstanceOf(SettingsException.class)
                .hasMessageContaining("server.tls.key_file");
    }
}
