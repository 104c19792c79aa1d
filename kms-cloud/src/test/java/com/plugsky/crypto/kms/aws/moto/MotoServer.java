package com.plugsky.crypto.kms.aws.moto;

import com.plugsky.crypto.keyref.KeyRef;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kms.KmsClient;

/**
 * A moto_server process on 127.0.0.1 and a free port, for AWS KMS integration tests and benchmarks.
 * It finds the executable itself (system property {@value #PATH_PROPERTY}, else the newest {@code
 * /root/.pyenv/versions/}{@code *}{@code /bin/moto_server}), waits until it answers, and {@link
 * #close()} stops exactly the process it started, by PID. Keys are made through the SDK ({@link
 * #createKey}); moto accepts any credentials, so {@link #CREDENTIALS} are fixed test values.
 */
public final class MotoServer implements AutoCloseable {
  /** Names the moto_server executable to use. */
  public static final String PATH_PROPERTY = "plugsky.test.moto-server";

  public static final StaticCredentialsProvider CREDENTIALS =
      StaticCredentialsProvider.create(AwsBasicCredentials.create("testing", "testing"));

  private static final Path PYENV_VERSIONS = Path.of("/root/.pyenv/versions");
  private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

  private final Process process;
  private final int port;
  private final Path log;
  private final Map<String, KmsClient> adminClients = new ConcurrentHashMap<>();

  private MotoServer(Process process, int port, Path log) {
    this.process = process;
    this.port = port;
    this.log = log;
  }

  /** The moto_server executable, or an exception saying how to provide one. */
  public static Path find() {
    String configured = System.getProperty(PATH_PROPERTY);
    if (configured != null && !configured.isBlank()) {
      Path path = Path.of(configured.strip());
      if (!Files.isExecutable(path)) {
        throw new IllegalStateException(PATH_PROPERTY + "=" + path + " is not an executable");
      }
      return path;
    }
    List<Path> found = new ArrayList<>();
    if (Files.isDirectory(PYENV_VERSIONS)) {
      try (DirectoryStream<Path> versions = Files.newDirectoryStream(PYENV_VERSIONS)) {
        for (Path version : versions) {
          Path candidate = version.resolve("bin/moto_server");
          if (Files.isExecutable(candidate)) {
            found.add(candidate);
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException("cannot list " + PYENV_VERSIONS, e);
      }
    }
    return found.stream()
        .max((a, b) -> compareVersions(a.getParent().getParent(), b.getParent().getParent()))
        .orElseThrow(
            () ->
                new IllegalStateException(
                    "moto_server not found: set -D"
                        + PATH_PROPERTY
                        + "=/path/to/moto_server or install moto[server] into a pyenv Python"
                        + " under "
                        + PYENV_VERSIONS
                        + " (pip install 'moto[server]')"));
  }

  /** Starts moto_server on a free loopback port and waits until it answers. */
  public static MotoServer start() {
    Path executable = find();
    int port = freePort();
    try {
      Path log = Files.createTempFile("moto-server-" + port + "-", ".log");
      Process process =
          new ProcessBuilder(executable.toString(), "-H", "127.0.0.1", "-p", Integer.toString(port))
              .redirectErrorStream(true)
              .redirectOutput(log.toFile())
              .start();
      MotoServer server = new MotoServer(process, port, log);
      server.awaitReady();
      return server;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + executable, e);
    }
  }

  public URI endpoint() {
    return URI.create("http://127.0.0.1:" + port);
  }

  public int port() {
    return port;
  }

  public long pid() {
    return process.pid();
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /** A client for test setup (creating, disabling keys), without retries. */
  public KmsClient kms(String region) {
    return adminClients.computeIfAbsent(region, r -> client(endpoint(), r));
  }

  /** A KMS client for {@code region} at {@code endpoint}, SDK retries off. */
  public static KmsClient client(URI endpoint, String region) {
    return KmsClient.builder()
        .endpointOverride(endpoint)
        .region(Region.of(region))
        .credentialsProvider(CREDENTIALS)
        .httpClientBuilder(UrlConnectionHttpClient.builder())
        .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry()))
        .build();
  }

  /** A new symmetric key in {@code region}, as its ARN KeyRef. */
  public KeyRef createKey(String region) {
    String arn = kms(region).createKey(b -> b.description("plugsky test")).keyMetadata().arn();
    return KeyRef.parse("aws-kms:" + arn);
  }

  /** Points {@code alias/<name>} in {@code region} at {@code key}; returns the alias KeyRef. */
  public KeyRef createAlias(String region, String name, KeyRef key) {
    String keyId = key.toString().substring("aws-kms:".length());
    kms(region).createAlias(b -> b.aliasName("alias/" + name).targetKeyId(keyId));
    return KeyRef.parse("aws-kms:alias/" + name + "?region=" + region);
  }

  /** Stops the process this fixture started (SIGTERM, then SIGKILL after 10 s), by its PID. */
  @Override
  public void close() {
    adminClients.values().forEach(KmsClient::close);
    adminClients.clear();
    if (process.isAlive()) {
      process.destroy();
      try {
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
          process.destroyForcibly();
          process.waitFor(10, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        process.destroyForcibly();
      }
    }
    try {
      Files.deleteIfExists(log);
    } catch (IOException ignored) {
      // A leftover log in the temp directory harms nothing.
    }
  }

  @Override
  public String toString() {
    return "MotoServer[pid=" + process.pid() + ", " + endpoint() + ", log=" + log + "]";
  }

  private void awaitReady() {
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException(
            "moto_server exited with " + process.exitValue() + " before answering: " + logTail());
      }
      if (answers()) {
        return;
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        close();
        throw new IllegalStateException("interrupted while waiting for moto_server", e);
      }
    }
    close();
    throw new IllegalStateException(
        "moto_server did not answer within " + START_TIMEOUT + ": " + logTail());
  }

  private boolean answers() {
    try {
      HttpURLConnection connection =
          (HttpURLConnection) URI.create(endpoint() + "/moto-api/").toURL().openConnection();
      connection.setConnectTimeout(500);
      connection.setReadTimeout(2000);
      try {
        return connection.getResponseCode() == 200;
      } finally {
        connection.disconnect();
      }
    } catch (IOException notYet) {
      return false;
    }
  }

  private String logTail() {
    try {
      String text = Files.readString(log, StandardCharsets.UTF_8);
      return text.length() <= 2000 ? text : text.substring(text.length() - 2000);
    } catch (IOException e) {
      return "(log " + log + " unreadable: " + e.getMessage() + ")";
    }
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("no free loopback port", e);
    }
  }

  private static int compareVersions(Path a, Path b) {
    String[] x = a.getFileName().toString().split("\\.");
    String[] y = b.getFileName().toString().split("\\.");
    for (int i = 0; i < Math.min(x.length, y.length); i++) {
      int c = Integer.compare(parse(x[i]), parse(y[i]));
      if (c != 0) {
        return c;
      }
    }
    return Integer.compare(x.length, y.length);
  }

  private static int parse(String part) {
    try {
      return Integer.parseInt(part);
    } catch (NumberFormatException e) {
      return -1;
    }
  }
}
