package dev.bsg.gateway.http;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The public port's certificate, from a PEM chain and a PEM (PKCS#8) key, put in force again whenever either
 * file changes: a renewed certificate needs no restart. A pair that does not load (half written, or a key that
 * is not the certificate's) leaves the current one serving and is tried again at the next look.
 */
public final class TlsCertificates {
    private static final Logger LOG = LoggerFactory.getLogger(TlsCertificates.class);
    private static final Pattern PRIVATE_KEY =
            Pattern.compile("-----BEGIN PRIVATE KEY-----([A-Za-z0-9+/=\\s]+)-----END PRIVATE KEY-----");
    private final Path certificateFile;
    private final Path keyFile;
    private final char[] password;
    private final SslContextFactory.Server factory = new SslContextFactory.Server();
    private FileTime certificateTime;
    private FileTime keyTime;

    /** Loads the pair now; an unusable one is an {@link IllegalArgumentException} that says what to do. */
    public TlsCertificates(Path certificateFile, Path keyFile) {
        this.certificateFile = certificateFile;
        this.keyFile = keyFile;
        byte[] random = new byte[16];
        new SecureRandom().nextBytes(random);
        this.password = HexFormat.of().formatHex(random).toCharArray();
        try {
            certificateTime = Files.getLastModifiedTime(certificateFile);
            keyTime = Files.getLastModifiedTime(keyFile);
            factory.setKeyStore(keyStore());
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        factory.setKeyStorePassword(new String(password));
        factory.setKeyManagerPassword(new String(password));
    }

    SslContextFactory.Server factory() {
        return factory;
    }

    /** Puts the files in force again when either changed since the last look; true when it did. */
    public synchronized boolean reloadIfChanged() {
        FileTime certificate;
        FileTime key;
        try {
            certificate = Files.getLastModifiedTime(certificateFile);
            key = Files.getLastModifiedTime(keyFile);
        } catch (IOException e) {
            throw new UncheckedIOException("server.tls: can't read the certificate files (" + e + ")", e);
        }
        if (certificate.equals(certificateTime) && key.equals(keyTime)) return false;
        KeyStore store;
        try {
            store = keyStore();
        } catch (IOException | GeneralSecurityException e) {
            LOG.warn(
                    "server.tls: the changed certificate files do not load, the current certificate stays: {}",
                    e.getMessage());
            return false;
        }
        try {
            factory.reload(f -> f.setKeyStore(store));
        } catch (Exception e) {
            throw new IllegalStateException("server.tls: the new certificate could not be put in force: " + e, e);
        }
        certificateTime = certificate;
        keyTime = key;
        LOG.info("server.tls: certificate reloaded from {}", certificateFile);
        return true;
    }

    private KeyStore keyStore() throws IOException, GeneralSecurityException {
        List<Certificate> chain = new ArrayList<>(CertificateFactory.getInstance("X.509")
                .generateCertificates(new ByteArrayInputStream(Files.readAllBytes(certificateFile))));
        if (chain.isEmpty())
            throw new GeneralSecurityException("server.tls.cert_file " + certificateFile + " holds no PEM certificate");
        PrivateKey key = privateKey(Files.readString(keyFile, StandardCharsets.US_ASCII));
        if (!matches(key, chain.getFirst()))
            throw new GeneralSecurityException("server.tls.key_file " + keyFile
                    + " is not the key of the first certificate in " + certificateFile);
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        store.setKeyEntry("gateway", key, password, chain.toArray(Certificate[]::new));
        return store;
    }

    private PrivateKey privateKey(String pem) throws GeneralSecurityException {
        Matcher block = PRIVATE_KEY.matcher(pem);
        if (!block.find())
            throw new GeneralSecurityException("server.tls.key_file " + keyFile
                    + " holds no unencrypted PKCS#8 key (BEGIN PRIVATE KEY); convert it with"
                    + " 'openssl pkcs8 -topk8 -nocrypt -in KEY -out KEY.pem'");
        PKCS8EncodedKeySpec spec =
                new PKCS8EncodedKeySpec(Base64.getMimeDecoder().decode(block.group(1)));
        for (String algorithm : List.of("RSA", "EC", "Ed25519", "Ed448")) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(spec);
            } catch (GeneralSecurityException e) {
                // the next kind
            }
        }
        throw new GeneralSecurityException("server.tls.key_file " + keyFile + ": not an RSA, EC or EdDSA key");
    }

    private static boolean matches(PrivateKey key, Certificate certificate) throws GeneralSecurityException {
        String algorithm = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            default -> key.getAlgorithm();
        };
        byte[] probe = "bsg-tls-pair-check".getBytes(StandardCharsets.US_ASCII);
        Signature signer = Signature.getInstance(algorithm);
        signer.initSign(key);
        signer.update(probe);
        byte[] signature = signer.sign();
        Signature verifier = Signature.getInstance(algorithm);
        try {
            verifier.initVerify(certificate.getPublicKey());
        } catch (GeneralSecurityException e) {
            return false; // a key of another kind than the certificate's
        }
        verifier.update(probe);
        return verifier.verify(signature);
    }
}
