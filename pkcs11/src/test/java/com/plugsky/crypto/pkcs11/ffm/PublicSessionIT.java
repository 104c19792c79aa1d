package com.plugsky.crypto.pkcs11.ffm;

import static com.plugsky.crypto.pkcs11.ffm.Cryptoki.CK_ULONG;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.plugsky.crypto.ConfigurationException;
import com.plugsky.crypto.pkcs11.Hsm;
import com.plugsky.crypto.pkcs11.HsmConfig;
import com.plugsky.crypto.pkcs11.HsmKey;
import com.plugsky.crypto.pkcs11.softhsm.SoftHsm;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The logged-out probe (hsm-check's second process) against SoftHSM2: an AES key stored without
 * CKA_PRIVATE, which the token rightly shows to any session, must come out as ALLOWED, so the
 * logged-out check can fail; and the probe refuses to run in a process that is logged in.
 */
class PublicSessionIT {
  private final HsmConfig config = SoftHsm.get().config(SoftHsm.TOKEN).build();
  private final HsmKey publicAesKey = HsmKey.label("public-aes-" + UUID.randomUUID());
  private Hsm hsm;

  @BeforeEach
  void storeAnAesKeyWithoutCkaPrivate() {
    hsm = Hsm.open(config);
    // The first call logs this process in; the raw session below shares that login.
    assertThat(hsm.contains(publicAesKey)).isFalse();
    Cryptoki ck = Cryptoki.load(config.modulePath());
    Tokens.Token token = Tokens.labelled(ck, SoftHsm.TOKEN);
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment handle = arena.allocate(CK_ULONG);
      long rv =
          (long)
              ck.openSession.invokeExact(
                  token.slot(),
                  Ck.CKF_SERIAL_SESSION | Ck.CKF_RW_SESSION,
                  MemorySegment.NULL,
                  MemorySegment.NULL,
                  handle);
      Cryptoki.check("C_OpenSession", rv, "test");
      long session = handle.get(CK_ULONG, 0);
      Template template =
          new Template(arena)
              .ulong(Ck.CKA_CLASS, ObjectClass.SECRET_KEY.value)
              .ulong(Ck.CKA_KEY_TYPE, Ck.CKK_AES)
              .bool(Ck.CKA_TOKEN, true)
              .bool(Ck.CKA_PRIVATE, false)
              .bool(Ck.CKA_ENCRYPT, true)
              .bytes(
                  Ck.CKA_LABEL, publicAesKey.label().orElseThrow().getBytes(StandardCharsets.UTF_8))
              .secret(Ck.CKA_VALUE, new byte[32]);
      MemorySegment object = arena.allocate(CK_ULONG);
      rv =
          (long)
              ck.createObject.invokeExact(
                  session, template.segment(), (long) template.count(), object);
      Cryptoki.check("C_CreateObject", rv, "test");
      long ignored = (long) ck.closeSession.invokeExact(session);
    } catch (Throwable e) {
      throw new AssertionError(e);
    }
  }

  @AfterEach
  void destroy() {
    hsm.destroyKey(publicAesKey);
    hsm.close();
  }

  @Test
  void aNewProcessReportsAKeyItCouldUseWithoutLoggingIn() throws Exception {
    Process probe =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED",
                "-cp",
                System.getProperty("java.class.path"),
                "com.plugsky.crypto.pkcs11.check.LoggedOutProbe",
                config.modulePath().toString(),
                "label:" + SoftHsm.TOKEN,
                publicAesKey.label().orElseThrow(),
                "-")
            .redirectErrorStream(true)
            .start();
    assertThat(probe.waitFor(60, TimeUnit.SECONDS)).isTrue();
    List<String> lines =
        new String(probe.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines().toList();

    assertThat(probe.exitValue()).as(String.join("\n", lines)).isZero();
    assertThat(lines).singleElement().asString().startsWith("secret ALLOWED ");
  }

  @Test
  void aProcessThatIsLoggedInCannotTestLoggedOutUse() {
    assertThatThrownBy(() -> PublicSession.encryptWith(config, publicAesKey))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("this application is logged in");
  }
}
