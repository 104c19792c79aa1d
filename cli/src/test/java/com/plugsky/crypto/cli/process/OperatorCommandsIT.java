package com.plugsky.crypto.cli.process;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.plugsky.crypto.cli.process.Command.Result;
import com.plugsky.crypto.keyref.KeyRef;
import com.plugsky.crypto.kms.aws.moto.MotoServer;
import com.plugsky.crypto.primitive.CryptoRandom;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The commands for operators, run as processes against real backends: SoftHSM2, moto, curl. */
class OperatorCommandsIT {
  private static final Pattern SERVING = Pattern.compile("serving https://127\\.0\\.0\\.1:(\\d+)/");

  @TempDir Path work;
  private Command command;

  @BeforeEach
  void freshHome() {
    command = new Command(work.resolve("home"), work);
  }

  @Test
  void hsmCheckOnSoftHsm2PassesAndWritesJsonAndHtmlReports() throws Exception {
    SoftHsmToken token = SoftHsmToken.get();

    Result result =
        command.run(
            "hsm-check",
            "--module",
            SoftHsmToken.MODULE.toString(),
            "--token",
            SoftHsmToken.LABEL,
            "--pin-source",
            "file:" + token.pinFile(),
            "--json",
            "report.json",
            "--html",
            "report.html");

    assertThat(result.exit()).as(result.out() + result.stderr()).isZero();
    assertThat(result.out()).contains("PASS").doesNotContain(token.userPin());
    JsonNode report = new ObjectMapper().readTree(work.resolve("report.json").toFile());
    assertThat(report.toString()).contains("PASS").doesNotContain("\"FAIL\"");
    assertThat(Files.readString(work.resolve("report.html"))).contains("<html").contains("PASS");
  }

  @Test
  void hsmCheckWithAWrongPinFailsAndSaysWhy() throws Exception {
    SoftHsmToken.get();
    Path wrongPin = Files.writeString(work.resolve("wrong.pin"), "not-the-pin\n");

    Result result =
        command.run(
            "hsm-check",
            "--module",
            SoftHsmToken.MODULE.toString(),
            "--token",
            SoftHsmToken.LABEL,
            "--pin-source",
            "file:" + wrongPin);

    assertThat(result.exit()).isEqualTo(3);
    assertThat(result.out()).contains("FAIL").contains("CKR_PIN_INCORRECT");
    assertThat(result.out() + result.stderr()).doesNotContain("not-the-pin");
  }

  @Test
  void hsmCheckWithoutAModuleIsAUsageError() {
    Result result =
        command.run("hsm-check", "--module", "/nonexistent/libpkcs11.so", "--token", "x");

    assertThat(result.exit()).isEqualTo(2);
    assertThat(result.errLines()).hasSize(1);
    assertThat(result.stderr()).contains("no PKCS#11 module at /nonexistent/libpkcs11.so");
  }

  @Test
  void messagesRoundTripThroughAwsKmsOnMoto() {
    try (MotoServer moto = MotoServer.start()) {
      KeyRef key = moto.createKey("us-east-1");
      Command aws =
          command
              .env("PLUGSKY_AWS_KMS_ENDPOINT", moto.endpoint().toString())
              .env("AWS_ACCESS_KEY_ID", "testing")
              .env("AWS_SECRET_ACCESS_KEY", "testing")
              .env("AWS_REGION", "us-east-1");
      byte[] plaintext = CryptoRandom.bytes(100_000);

      Result sealed =
          aws.run(plaintext, "encrypt", "--key", key.toString(), "--context", "tenant=acme");
      assertThat(sealed.exit()).as(sealed.stderr()).isZero();
      Result opened =
          aws.run(sealed.stdout(), "decrypt", "--key", key.toString(), "--context", "tenant=acme");
      assertThat(opened.exit()).as(opened.stderr()).isZero();
      assertThat(opened.stdout()).isEqualTo(plaintext);

      Result wrongContext =
          aws.run(sealed.stdout(), "decrypt", "--key", key.toString(), "--context", "tenant=other");
      assertThat(wrongContext.exit()).isEqualTo(1);
      assertThat(wrongContext.stdout()).isEmpty();
    }
  }

  @Test
  void tlsServeAnswersCurlOverTls13WithHstsAndRefusesTls12() throws Exception {
    Path certificate = work.resolve("server.crt");
    Path key = work.resolve("server.key");
    run(
        List.of(
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-keyout",
            key.toString(),
            "-out",
            certificate.toString(),
            "-days",
            "1",
            "-subj",
            "/CN=localhost",
            "-addext",
            "subjectAltName=DNS:localhost,IP:127.0.0.1"));

    Process server =
        command.start(
            "tls",
            "serve",
            "--cert",
            certificate.toString(),
            "--key",
            key.toString(),
            "--port",
            "0");
    try {
      int port = servingPort(server);
      String url = "https://127.0.0.1:" + port + "/";

      String tls13 =
          run(
              List.of(
                  "curl",
                  "-sS",
                  "-v",
                  "--tlsv1.3",
                  "--cacert",
                  certificate.toString(),
                  "-D",
                  "-",
                  url));
      assertThat(tls13)
          .contains("TLSv1.3")
          .containsIgnoringCase(
              "strict-transport-security: max-age=63072000; includeSubDomains; preload");

      Process tls12 =
          new ProcessBuilder(
                  "curl", "-sS", "--tls-max", "1.2", "--cacert", certificate.toString(), url)
              .redirectErrorStream(true)
              .start();
      tls12.getInputStream().readAllBytes();
      assertThat(tls12.waitFor(30, TimeUnit.SECONDS)).isTrue();
      assertThat(tls12.exitValue()).isNotZero();
    } finally {
      server.destroy();
      if (!server.waitFor(20, TimeUnit.SECONDS)) {
        server.destroyForcibly();
      }
    }
  }

  private static int servingPort(Process server) throws IOException {
    BufferedReader out =
        new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
    String line = out.readLine();
    if (line == null) {
      throw new IllegalStateException(
          "tls serve exited: "
              + new String(server.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
    }
    Matcher matcher = SERVING.matcher(line);
    assertThat(matcher.find()).as(line).isTrue();
    return Integer.parseInt(matcher.group(1));
  }

  private static String run(List<String> commandLine) throws IOException, InterruptedException {
    Process process = new ProcessBuilder(commandLine).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).as(output).isZero();
    return output;
  }
}
