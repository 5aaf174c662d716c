package dev.bsg.gateway.upstream;

import dev.bsg.gateway.settings.SettingsException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.Collection;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/** A TLS context that trusts exactly the certificates of a PEM bundle (a company's CAs, or a test's own). */
final class TrustedCertificates {
    private TrustedCertificates() {}

    static SSLContext sslContext(Path bundle) {
        try (InputStream in = Files.newInputStream(bundle)) {
            Collection<? extends Certificate> certificates = CertificateFactory.getInstance("X.509").generateCertificates(in);
            if (certificates.isEmpty()) throw new IllegalArgumentException("it holds no certificate");
            KeyStore trusted = KeyStore.getInstance(KeyStore.getDefaultType());
            trusted.load(null, null);
            int n = 0;
            for (Certificate certificate : certificates) trusted.setCertificateEntry("ca-" + n++, certificate);
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(trusted);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, trust.getTrustManagers(), null);
            return context;
        } catch (Exception e) {
            throw new SettingsException("upstream.ca_bundle", bundle.toString(), "use a PEM file of CA certificates (" + e.getMessage() + ")");
        }
    }
}
