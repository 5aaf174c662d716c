package dev.bsg.identity;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.Collection;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;

/**
 * Trust in exactly the certificates of a PEM bundle (a company's CAs behind a TLS-inspecting proxy, or
 * a test's own), as AWS tools do with {@code AWS_CA_BUNDLE}.
 */
public final class TrustedCertificates {
    private TrustedCertificates() {}

    public static TrustManager[] trustManagers(Path bundle) throws IOException, GeneralSecurityException {
        try (InputStream in = Files.newInputStream(bundle)) {
            Collection<? extends Certificate> certificates =
                    CertificateFactory.getInstance("X.509").generateCertificates(in);
            if (certificates.isEmpty()) throw new GeneralSecurityException("it holds no PEM certificate");
            KeyStore trusted = KeyStore.getInstance(KeyStore.getDefaultType());
            trusted.load(null, null);
            int n = 0;
            for (Certificate certificate : certificates) trusted.setCertificateEntry("ca-" + n++, certificate);
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(trusted);
            return trust.getTrustManagers();
        }
    }

    public static SSLContext sslContext(Path bundle) throws IOException, GeneralSecurityException {
        return sslContext(trustManagers(bundle));
    }

    public static SSLContext sslContext(TrustManager[] trust) throws GeneralSecurityException {
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trust, null);
        return context;
    }
}
