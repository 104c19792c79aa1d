package com.plugsky.crypto.conformance;

import com.plugsky.crypto.conformance.vectors.CavpFile;
import com.plugsky.crypto.conformance.vectors.WycheproofFile;
import com.plugsky.crypto.primitive.KeyWrapMode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.function.Function;

/** The vector files under {@code src/test/resources/vectors/} and how each one runs. */
final class VectorFiles {

  /**
   * One file.
   *
   * @param path relative to {@code vectors/}
   * @param load parses the file's bytes into runnable cases
   */
  record VectorFile(String path, Function<byte[], VectorSuite> load) {
    VectorSuite suite() {
      return load.apply(read(path));
    }
  }

  static final List<VectorFile> ALL =
      List.of(
          wycheproof("wycheproof/aes_gcm_test.json", WycheproofSuites::aesGcm),
          wycheproof(
              "wycheproof/aes_wrap_test.json",
              f -> WycheproofSuites.keyWrap(f, KeyWrapMode.AES_KW)),
          wycheproof(
              "wycheproof/aes_kwp_test.json",
              f -> WycheproofSuites.keyWrap(f, KeyWrapMode.AES_KWP)),
          wycheproof("wycheproof/hkdf_sha256_test.json", WycheproofSuites::hkdf),
          wycheproof("wycheproof/hmac_sha256_test.json", WycheproofSuites::hmac),
          cavp("nist-cavp/gcmEncryptExtIV256.rsp", CavpSuites::gcmEncrypt),
          cavp("nist-cavp/gcmDecrypt256.rsp", CavpSuites::gcmDecrypt),
          // Again through the Aead code each engine ships: 96-bit IVs and 128-bit tags only.
          wycheproof(
              "wycheproof/aes_gcm_test.json", f -> ShippedAeadSuites.wycheproof(f).mustRun(66)),
          cavp(
              "nist-cavp/gcmEncryptExtIV256.rsp",
              f -> ShippedAeadSuites.cavpEncrypt(f).mustRun(375)),
          cavp("nist-cavp/gcmDecrypt256.rsp", f -> ShippedAeadSuites.cavpDecrypt(f).mustRun(375)),
          cavp("nist-cavp/KW_AE_256.txt", f -> CavpSuites.wrap(f, KeyWrapMode.AES_KW)),
          cavp("nist-cavp/KW_AD_256.txt", f -> CavpSuites.unwrap(f, KeyWrapMode.AES_KW)),
          cavp("nist-cavp/KWP_AE_256.txt", f -> CavpSuites.wrap(f, KeyWrapMode.AES_KWP)),
          cavp("nist-cavp/KWP_AD_256.txt", f -> CavpSuites.unwrap(f, KeyWrapMode.AES_KWP)));

  private VectorFiles() {}

  /** The bytes of {@code vectors/<path>} on the test classpath. */
  static byte[] read(String path) {
    return readResource("/vectors/" + path);
  }

  /** The bytes of the test-classpath resource {@code name}. */
  static byte[] readResource(String name) {
    try (InputStream in = VectorFiles.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException(name + " is not on the test classpath");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + name, e);
    }
  }

  private static VectorFile wycheproof(String path, Function<WycheproofFile, VectorSuite> suite) {
    return new VectorFile(path, bytes -> suite.apply(WycheproofFile.parse(path, bytes)));
  }

  private static VectorFile cavp(String path, Function<CavpFile, VectorSuite> suite) {
    return new VectorFile(path, bytes -> suite.apply(CavpFile.parse(path, bytes)));
  }
}
