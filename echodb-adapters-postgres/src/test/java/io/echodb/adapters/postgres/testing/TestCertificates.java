package io.echodb.adapters.postgres.testing;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A self-signed CA and a server certificate it signs, as PEM, for TLS tests: the server certificate names only
 * {@code localhost} (so connecting by {@code 127.0.0.1} fails host-name verification on purpose).
 */
public final class TestCertificates {

    private static final AtomicLong SERIAL = new AtomicLong(System.currentTimeMillis());

    private final byte[] caCertificatePem;
    private final byte[] serverCertificatePem;
    private final byte[] serverKeyPem;

    private TestCertificates(byte[] caCertificatePem, byte[] serverCertificatePem, byte[] serverKeyPem) {
        this.caCertificatePem = caCertificatePem;
        this.serverCertificatePem = serverCertificatePem;
        this.serverKeyPem = serverKeyPem;
    }

    /** A new CA named {@code caName} and a server certificate for {@code localhost} signed by it. */
    public static TestCertificates create(String caName) {
        try {
            KeyPair caKeys = rsa();
            X500Name ca = new X500Name("CN=" + caName);
            Instant now = Instant.now();
            X509v3CertificateBuilder caBuilder = new JcaX509v3CertificateBuilder(ca, serial(), Date.from(now.minus(Duration.ofHours(1))),
                    Date.from(now.plus(Duration.ofDays(2))), ca, caKeys.getPublic())
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(true))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            X509Certificate caCert = sign(caBuilder, caKeys);

            KeyPair serverKeys = rsa();
            X509v3CertificateBuilder serverBuilder = new JcaX509v3CertificateBuilder(ca, serial(),
                    Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(Duration.ofDays(2))),
                    new X500Name("CN=localhost"), serverKeys.getPublic())
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                    .addExtension(Extension.subjectAlternativeName, false,
                            new GeneralNames(new GeneralName(GeneralName.dNSName, "localhost")));
            X509Certificate serverCert = sign(serverBuilder, caKeys);
            return new TestCertificates(pem(caCert), pem(serverCert), pem(serverKeys.getPrivate()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (NoSuchAlgorithmException | OperatorCreationException | java.security.cert.CertificateException e) {
            throw new IllegalStateException("cannot create test certificates: " + e.getMessage(), e);
        }
    }

    public byte[] caCertificatePem() {
        return caCertificatePem.clone();
    }

    public byte[] serverCertificatePem() {
        return serverCertificatePem.clone();
    }

    public byte[] serverKeyPem() {
        return serverKeyPem.clone();
    }

    /** Writes the CA certificate to {@code file} and returns its path. */
    public Path writeCa(Path file) {
        try {
            Files.write(file, caCertificatePem);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static KeyPair rsa() throws NoSuchAlgorithmException {
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(2048);
        return g.generateKeyPair();
    }

    private static BigInteger serial() {
        return BigInteger.valueOf(SERIAL.incrementAndGet());
    }

    private static X509Certificate sign(X509v3CertificateBuilder builder, KeyPair issuer)
            throws OperatorCreationException, java.security.cert.CertificateException {
        return new JcaX509CertificateConverter().getCertificate(
                builder.build(new JcaContentSignerBuilder("SHA256withRSA").build(issuer.getPrivate())));
    }

    private static byte[] pem(Object object) throws IOException {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(out)) {
            w.writeObject(object);
        }
        return out.toString().getBytes(StandardCharsets.UTF_8);
    }
}
