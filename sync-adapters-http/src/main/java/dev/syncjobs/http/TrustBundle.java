package dev.syncjobs.http;

import dev.syncjobs.core.model.TransferException;
import java.io.ByteArrayInputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * TLS trust for a job: the system's CAs plus the job's {@code ca_bundle}. Certificates are always
 * verified (chain and host name); there is no "trust all".
 */
final class TrustBundle {
  private TrustBundle() {}

  /** An SSL context trusting the system CAs and the PEM certificates in {@code pem}. */
  static SSLContext context(String pem) {
    try {
      X509ExtendedTrustManager system = managerFor(null);
      KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
      ks.load(null, null);
      Collection<? extends Certificate> certs =
          CertificateFactory.getInstance("X.509")
              .generateCertificates(new ByteArrayInputStream(pem.getBytes(StandardCharsets.UTF_8)));
      if (certs.isEmpty()) {
        throw new TransferException("ca_bundle holds no PEM certificate", false, null);
      }
      int i = 0;
      for (Certificate c : certs) {
        ks.setCertificateEntry("ca-" + i++, c);
      }
      X509ExtendedTrustManager extra = managerFor(ks);
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(null, new TrustManager[] {new Either(system, extra)}, null);
      return ctx;
    } catch (GeneralSecurityException | java.io.IOException e) {
      throw new TransferException("ca_bundle is not usable: " + e.getMessage(), false, e);
    }
  }

  private static X509ExtendedTrustManager managerFor(KeyStore ks) throws GeneralSecurityException {
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(ks);
    for (TrustManager tm : tmf.getTrustManagers()) {
      if (tm instanceof X509ExtendedTrustManager x) {
        return x;
      }
    }
    throw new GeneralSecurityException("no X509 trust manager");
  }

  /** Trusts a server when either manager does (each checks chain and host name). */
  private static final class Either extends X509ExtendedTrustManager {
    private final X509ExtendedTrustManager a;
    private final X509ExtendedTrustManager b;

    Either(X509ExtendedTrustManager a, X509ExtendedTrustManager b) {
      this.a = a;
      this.b = b;
    }

    @FunctionalInterface
    private interface Check {
      void run(X509ExtendedTrustManager m) throws CertificateException;
    }

    private void either(Check c) throws CertificateException {
      try {
        c.run(a);
      } catch (CertificateException first) {
        try {
          c.run(b);
        } catch (CertificateException second) {
          first.addSuppressed(second);
          throw first;
        }
      }
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
        throws CertificateException {
      either(m -> m.checkServerTrusted(chain, authType, engine));
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
        throws CertificateException {
      either(m -> m.checkServerTrusted(chain, authType, socket));
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType)
        throws CertificateException {
      either(m -> m.checkServerTrusted(chain, authType));
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
        throws CertificateException {
      throw new CertificateException("client certificates are not accepted");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
        throws CertificateException {
      throw new CertificateException("client certificates are not accepted");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType)
        throws CertificateException {
      throw new CertificateException("client certificates are not accepted");
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      List<X509Certificate> all = new ArrayList<>(List.of(a.getAcceptedIssuers()));
      all.addAll(List.of(b.getAcceptedIssuers()));
      return all.toArray(new X509Certificate[0]);
    }
  }
}
