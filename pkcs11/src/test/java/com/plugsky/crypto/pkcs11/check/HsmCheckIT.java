package com.plugsky.crypto.pkcs11.check;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.plugsky.crypto.KeyUnavailableException;
import com.plugsky.crypto.pkcs11.Hsm;
import com.plugsky.crypto.pkcs11.HsmConfig;
import com.plugsky.crypto.pkcs11.HsmConfig.Backend;
import com.plugsky.crypto.pkcs11.PinSource;
import com.plugsky.crypto.pkcs11.check.CheckResult.Status;
import com.plugsky.crypto.pkcs11.softhsm.SoftHsm;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class HsmCheckIT {

  @ParameterizedTest
  @EnumSource(Backend.class)
  void softHsmPassesEveryCheckTheBackendCanDrive(Backend backend) throws Exception {
    List<String> started = new CopyOnWriteArrayList<>();
    List<CheckResult> finished = new CopyOnWriteArrayList<>();
    ProgressListener listener =
        new ProgressListener() {
          @Override
          public void started(String check) {
            started.add(check);
          }

          @Override
          public void finished(CheckResult result) {
            finished.add(result);
          }
        };

    HsmCheckReport report =
        HsmCheck.run(SoftHsm.get().config(SoftHsm.TOKEN).backend(backend).build(), listener);

    assertThat(report.passed()).as(report.summary()).isTrue();
    assertThat(report.exitCode()).isZero();
    assertThat(finished).isEqualTo(report.results());
    assertThat(started).isEqualTo(report.results().stream().map(CheckResult::name).toList());
    Map<String, CheckResult> byName =
        report.results().stream().collect(Collectors.toMap(CheckResult::name, Function.identity()));
    assertThat(byName.keySet())
        .contains(
            "login",
            "mechanisms",
            "random",
            "aes-gcm-kat",
            "aes-gcm-negative",
            "key-wrap-pad",
            "ecdsa-p256",
            "ecdsa-p384",
            "rsa-2048",
            "hmac-sha256-kat",
            "aes-gcm-wycheproof",
            "key-wrap-pad-wycheproof",
            "ecdsa-p256-wycheproof",
            "wrong-key",
            "logged-out",
            "errors",
            "concurrency",
            "cleanup");
    for (String check :
        List.of(
            "aes-gcm-kat",
            "ecdsa-p256",
            "ecdsa-p384",
            "rsa-2048",
            "hmac-sha256-kat",
            "aes-gcm-wycheproof",
            "ecdsa-p256-wycheproof",
            "wrong-key",
            "logged-out",
            "cleanup")) {
      assertThat(byName.get(check).status()).as(check).isEqualTo(Status.PASS);
    }
    assertThat(byName.get("aes-gcm-kat").opsPerSecond()).isPresent();
    assertThat(byName.get("concurrency").opsPerSecond()).isPresent();
    assertThat(byName.get("aes-gcm-wycheproof").vectors())
        .singleElement()
        .satisfies(
            file -> {
              assertThat(file.file()).isEqualTo("aes_gcm_test.json");
              assertThat(file.read()).isEqualTo(file.declared()).isEqualTo(316);
              // 39 valid and 27 invalid tests have a 256-bit key, 96-bit IV and 128-bit tag.
              assertThat(file.run()).isEqualTo(66);
              assertThat(file.skipped()).isEqualTo(250);
              assertThat(file.failures()).isEmpty();
            });
    assertThat(byName.get("ecdsa-p256-wycheproof").vectors())
        .singleElement()
        .satisfies(
            file -> {
              assertThat(file.read()).isEqualTo(file.declared()).isEqualTo(262);
              assertThat(file.run()).isEqualTo(262);
              assertThat(file.failures()).isEmpty();
            });
    for (String timed :
        List.of("aes-gcm-wycheproof", "ecdsa-p256-wycheproof", "ecdsa-p256", "hmac-sha256-kat")) {
      assertThat(byName.get(timed).opsPerSecond()).as(timed).isPresent();
    }
    // SunPKCS11 cannot drive SoftHSM2's key wrap; the check says so instead of failing.
    assertThat(byName.get("key-wrap-pad-wycheproof").status())
        .isEqualTo(backend == Backend.SUNPKCS11 ? Status.SKIP : Status.PASS);
    if (backend != Backend.SUNPKCS11) {
      // SoftHSM2 pads key data to 8 bytes before wrapping: 14 valid tests of other lengths skip.
      assertThat(byName.get("key-wrap-pad-wycheproof").vectors().getFirst())
          .satisfies(
              file -> {
                assertThat(file.read()).isEqualTo(file.declared()).isEqualTo(254);
                assertThat(file.run()).isEqualTo(94 - 14);
                assertThat(file.failures()).isEmpty();
              });
      assertThat(byName.get("logged-out").detail())
          .contains("AES key not visible", "EC private key not visible");
    }
    assertThat(byName.get("key-wrap-pad").status())
        .isEqualTo(backend == Backend.SUNPKCS11 ? Status.SKIP : Status.PASS);
    assertThat(report.mechanisms()).contains("CKM_AES_GCM", "CKM_ECDSA");
    assertThat(report.backend()).isEqualTo(backend.name().toLowerCase());
    assertThat(report.token()).isEqualTo(SoftHsm.TOKEN);

    assertThat(report.toJson())
        .startsWith("{\"module\":")
        .contains("\"name\":\"aes-gcm-kat\",\"status\":\"PASS\"")
        .contains("\"passed\":true")
        .contains("\"file\":\"aes_gcm_test.json\",\"declared\":316,\"read\":316,\"run\":66")
        .endsWith("]}");
    JsonNode json = new ObjectMapper().readTree(report.toJson());
    JsonNode library = json.path("library");
    assertThat(library.path("manufacturer").asText()).isEqualTo("SoftHSM");
    assertThat(library.path("description").asText()).contains("PKCS");
    assertThat(library.path("cryptokiVersion").asText()).matches("\\d+\\.\\d+");
    assertThat(library.path("libraryVersion").asText()).startsWith("2.");
    JsonNode tokenInfo = json.path("tokenInfo");
    assertThat(tokenInfo.path("label").asText()).isEqualTo(SoftHsm.TOKEN);
    assertThat(tokenInfo.path("manufacturer").asText()).isEqualTo("SoftHSM project");
    assertThat(tokenInfo.path("model").asText()).isEqualTo("SoftHSM v2");
    assertThat(tokenInfo.path("serialNumber").asText()).isNotBlank();
    assertThat(tokenInfo.path("hardwareVersion").asText()).matches("\\d+\\.\\d+");
    assertThat(tokenInfo.path("firmwareVersion").asText()).matches("\\d+\\.\\d+");
    assertThat(tokenInfo.path("flags").toString())
        .contains("CKF_RNG", "CKF_LOGIN_REQUIRED", "CKF_TOKEN_INITIALIZED");
    assertThat(report.summary()).contains("library: SoftHSM", "token: " + SoftHsm.TOKEN);
    assertThat(report.toHtml()).contains("<table>", "aes-gcm-kat", "CKM_AES_GCM");
    assertThat(report.toHtml()).contains("aes_gcm_test.json: 66 run");
    assertThat(report.summary())
        .contains("PASSED", "ops/s", "ecdsa_secp256r1_sha256_p1363_test.json: 262 run");
  }

  @Test
  void aWrongPinFailsTheLoginAndSkipsTheRest() {
    HsmConfig config =
        SoftHsm.get()
            .config(SoftHsm.PIN_TOKEN)
            .pinSource(PinSource.of("not-the-pin".toCharArray()))
            .build();

    HsmCheckReport report = HsmCheck.run(config, ProgressListener.NONE);

    assertThat(report.exitCode()).isEqualTo(3);
    assertThat(report.tokenUnusable()).isTrue();
    assertThat(report.tokenInfo().label()).isEqualTo(SoftHsm.PIN_TOKEN);
    assertThat(report.results().getFirst().status()).isEqualTo(Status.FAIL);
    assertThat(report.results().getFirst().detail())
        .contains("CKR_PIN_INCORRECT")
        .doesNotContain("not-the-pin");
    assertThat(report.results().subList(1, report.results().size()))
        .allSatisfy(result -> assertThat(result.status()).isEqualTo(Status.SKIP));
    assertThat(report.toJson()).contains("\"passed\":false").doesNotContain("not-the-pin");
  }

  @Test
  void aFileThatIsNoPkcs11ModuleFailsTheLogin(@TempDir Path directory) throws Exception {
    Path notAModule = Files.writeString(directory.resolve("libnothing.so"), "not a library");
    HsmConfig config = HsmConfig.builder(notAModule).tokenLabel("any").build();

    HsmCheckReport report = HsmCheck.run(config, ProgressListener.NONE);

    assertThat(report.passed()).isFalse();
    assertThat(report.exitCode()).isEqualTo(3);
    assertThat(report.library()).isNull();
    assertThat(report.toJson()).contains("\"library\":null,\"tokenInfo\":null");
    assertThat(report.results().getFirst().detail()).contains("ConfigurationException");
    assertThat(report.summary()).contains("FAILED");
  }

  @Test
  void unreadableCapabilitiesSkipTheChecksThatNeedThemAndStillCleanUp() {
    HsmConfig config = SoftHsm.get().config(SoftHsm.TOKEN).build();

    HsmCheckReport report =
        HsmCheck.run(config, ProgressListener.NONE, HsmCheckIT::withUnreadableCapabilities);

    assertThat(report.results().get(0).status()).isEqualTo(Status.PASS);
    assertThat(report.results().get(1).name()).isEqualTo("mechanisms");
    assertThat(report.results().get(1).status()).isEqualTo(Status.FAIL);
    assertThat(report.results().get(1).detail()).contains("capabilities unreadable");
    List<CheckResult> rest = report.results().subList(2, report.results().size() - 1);
    assertThat(rest)
        .isNotEmpty()
        .allSatisfy(
            result -> {
              assertThat(result.status()).isEqualTo(Status.SKIP);
              assertThat(result.detail()).contains("could not read what the token");
            });
    assertThat(report.results().getLast().name()).isEqualTo("cleanup");
    assertThat(report.results().getLast().status()).isEqualTo(Status.PASS);
    assertThat(report.exitCode()).isEqualTo(1);
  }

  /** A real SoftHSM2 Hsm whose {@link Hsm#capabilities()} fails, as a broken module's might. */
  private static Hsm withUnreadableCapabilities(HsmConfig config) {
    Hsm real = Hsm.open(config);
    return (Hsm)
        Proxy.newProxyInstance(
            Hsm.class.getClassLoader(),
            new Class<?>[] {Hsm.class},
            (proxy, method, arguments) -> {
              if (method.getName().equals("capabilities")) {
                throw new KeyUnavailableException("capabilities unreadable");
              }
              try {
                return method.invoke(real, arguments);
              } catch (InvocationTargetException e) {
                throw e.getCause();
              }
            });
  }
}
