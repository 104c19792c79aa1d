package com.plugsky.crypto.kms.azure;

import com.azure.json.JsonProviders;
import com.azure.json.JsonReader;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.MGF1ParameterSpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Deque;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Cipher;
import javax.crypto.KeyGenerator;
import javax.crypto.SecretKey;
import javax.crypto.spec.OAEPParameterSpec;
import javax.crypto.spec.PSource;
import javax.crypto.spec.SecretKeySpec;
import javax.net.ssl.SSLContext;

/**
 * A Key Vault on 127.0.0.1 over HTTPS that speaks the REST calls the Azure SDK makes for wrapKey
 * and unwrapKey ({@code POST /keys/{name}[/{version}]/wrapkey|unwrapkey?api-version=...}, JSON
 * {@code {"alg","value"}} in and {@code {"kid","value"}} out, base64url values), with Key Vault's
 * bearer challenge: a request without the expected token gets 401 and {@code WWW-Authenticate:
 * Bearer authorization="...", resource="https://vault.azure.net"}.
 *
 * <p>The cryptography is real: RSA keys (RSAES-OAEP with SHA-256 and MGF1-SHA-256, as Key Vault's
 * RSA-OAEP-256) and AES-256 keys (RFC 3394 key wrap, A256KW), each with versions; a wrapping that
 * does not decrypt gets 400 BadParameter, as from Key Vault. Scripted faults (429 with Retry-After,
 * 500, 503, 403, 404, a hang) answer the next key operations. Every request is recorded.
 */
final class LoopbackKeyVault implements AutoCloseable {
  static final String RESOURCE = "https://vault.azure.net";
  static final String TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47";

  private static final Pattern OPERATION =
      Pattern.compile("/keys/([a-zA-Z0-9-]{1,127})(?:/([0-9a-f]{32})?)?/(wrapkey|unwrapkey)");
  private static final Pattern API_VERSION =
      Pattern.compile(
          "(?:^|&)api-version=(7\\.[0-9]+|[0-9]{4}-[0-9]{2}-[0-9]{2}(?:-preview)?)(?:&|$)");

  /** A recorded request: the Authorization header is kept only as whether it matched. */
  record Request(String method, String path, String query, boolean authorized, String body) {}

  /** What the next key operation gets instead of an answer. */
  sealed interface Fault {
    record Status(int status, String code, Optional<String> retryAfter) implements Fault {}

    record Hang() implements Fault {}

    static Fault throttled() {
      return throttled("0");
    }

    static Fault throttled(String retryAfter) {
      return new Status(429, "Throttled", Optional.of(retryAfter));
    }

    static Fault status(int status, String code) {
      return new Status(status, code, Optional.empty());
    }

    static Fault hang() {
      return new Hang();
    }
  }

  private sealed interface VaultKey {
    record Rsa(KeyPair pair) implements VaultKey {}

    record Aes(SecretKey key) implements VaultKey {}
  }

  private record Version(String id, VaultKey key) {}

  private final HttpsServer server;
  private final ExecutorService executor;
  private final String token;
  private final Map<String, List<Version>> keys = new ConcurrentHashMap<>();
  private final Deque<Fault> faults = new ConcurrentLinkedDeque<>();
  private final List<Request> requests = new CopyOnWriteArrayList<>();
  private final CountDownLatch closing = new CountDownLatch(1);

  private LoopbackKeyVault(HttpsServer server, ExecutorService executor, String token) {
    this.server = server;
    this.executor = executor;
    this.token = token;
  }

  /** Starts on a free port of 127.0.0.1, accepting {@code Bearer <token>} only. */
  static LoopbackKeyVault start(SSLContext tls, String token) throws IOException {
    HttpsServer server =
        HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setHttpsConfigurator(new HttpsConfigurator(tls));
    ExecutorService executor =
        Executors.newCachedThreadPool(
            runnable -> {
              Thread thread = new Thread(runnable, "loopback-key-vault");
              thread.setDaemon(true);
              return thread;
            });
    server.setExecutor(executor);
    LoopbackKeyVault vault = new LoopbackKeyVault(server, executor, token);
    server.createContext("/", vault::handle);
    server.start();
    return vault;
  }

  /** {@code https://127.0.0.1:<port>}. */
  URI endpoint() {
    return URI.create("https://127.0.0.1:" + server.getAddress().getPort());
  }

  /** Adds a version of an RSA key named {@code name}; returns the version. */
  String addRsaKey(String name, int bits) throws GeneralSecurityException {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
    generator.initialize(bits);
    return addVersion(name, new VaultKey.Rsa(generator.generateKeyPair()));
  }

  /** Adds a version of an AES-256 (oct-HSM) key named {@code name}; returns the version. */
  String addAesKey(String name) throws GeneralSecurityException {
    KeyGenerator generator = KeyGenerator.getInstance("AES");
    generator.init(256);
    return addVersion(name, new VaultKey.Aes(generator.generateKey()));
  }

  /** Makes the next key operations fail as scripted, in order. */
  void failNext(Fault... next) {
    faults.addAll(List.of(next));
  }

  void clearFaults() {
    faults.clear();
  }

  List<Request> requests() {
    return List.copyOf(requests);
  }

  void clearRequests() {
    requests.clear();
  }

  /** Key operations (wrap or unwrap) that reached the vault with a valid token. */
  long keyOperations() {
    return requests.stream().filter(r -> r.authorized() && r.method().equals("POST")).count();
  }

  @Override
  public void close() {
    closing.countDown();
    server.stop(0);
    executor.shutdownNow();
  }

  private String addVersion(String name, VaultKey key) {
    String version = HexFormat.of().formatHex(randomBytes(16));
    keys.computeIfAbsent(name.toLowerCase(), n -> new CopyOnWriteArrayList<>())
        .add(new Version(version, key));
    return version;
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      byte[] body = exchange.getRequestBody().readAllBytes();
      String authorization = exchange.getRequestHeaders().getFirst("Authorization");
      boolean authorized = ("Bearer " + token).equals(authorization);
      String path = exchange.getRequestURI().getRawPath();
      String query = Optional.ofNullable(exchange.getRequestURI().getRawQuery()).orElse("");
      requests.add(
          new Request(
              exchange.getRequestMethod(),
              path,
              query,
              authorized,
              new String(body, StandardCharsets.UTF_8)));
      if (!authorized) {
        exchange
            .getResponseHeaders()
            .add(
                "WWW-Authenticate",
                "Bearer authorization=\"https://login.microsoftonline.com/"
                    + TENANT
                    + "\", resource=\""
                    + RESOURCE
                    + "\"");
        error(exchange, 401, "Unauthorized", "AKV10000: Request is missing a Bearer or PoP token.");
        return;
      }
      if (!API_VERSION.matcher(query).find()) {
        error(
            exchange, 400, "BadParameter", "The api-version query parameter is missing or unknown");
        return;
      }
      Matcher operation = OPERATION.matcher(path);
      if (!exchange.getRequestMethod().equals("POST") || !operation.matches()) {
        error(exchange, 404, "NotFound", "No such operation");
        return;
      }
      Fault fault = faults.poll();
      if (fault instanceof Fault.Hang) {
        closing.await(60, TimeUnit.SECONDS);
        return;
      }
      if (fault instanceof Fault.Status status) {
        status.retryAfter().ifPresent(s -> exchange.getResponseHeaders().add("Retry-After", s));
        error(exchange, status.status(), status.code(), "Scripted failure");
        return;
      }
      keyOperation(exchange, operation.group(1), operation.group(2), operation.group(3), body);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void keyOperation(
      HttpExchange exchange, String name, String requestedVersion, String operation, byte[] body)
      throws IOException {
    if (!"application/json"
        .equals(
            Optional.ofNullable(exchange.getRequestHeaders().getFirst("Content-Type"))
                .map(type -> type.split(";")[0].strip())
                .orElse(""))) {
      error(exchange, 400, "BadParameter", "Content-Type must be application/json");
      return;
    }
    Map<String, Object> json;
    try (JsonReader reader = JsonProviders.createReader(body)) {
      json = reader.readMap(JsonReader::readUntyped);
    } catch (IOException | RuntimeException e) {
      error(exchange, 400, "BadParameter", "The request body is not JSON");
      return;
    }
    if (!(json.get("alg") instanceof String alg) || !(json.get("value") instanceof String value)) {
      error(exchange, 400, "BadParameter", "alg and value are required");
      return;
    }
    List<Version> versions = keys.get(name.toLowerCase());
    Optional<Version> version =
        versions == null
            ? Optional.empty()
            : requestedVersion == null
                ? Optional.of(versions.getLast())
                : versions.stream().filter(v -> v.id().equals(requestedVersion)).findFirst();
    if (version.isEmpty()) {
      error(exchange, 404, "KeyNotFound", "A key with (name/id) " + name + " was not found");
      return;
    }
    byte[] input;
    try {
      input = Base64.getUrlDecoder().decode(value);
    } catch (IllegalArgumentException e) {
      error(exchange, 400, "BadParameter", "value is not base64url");
      return;
    }
    byte[] output;
    try {
      output = compute(version.get().key(), alg, operation.equals("wrapkey"), input);
    } catch (UnsupportedOperationException e) {
      error(exchange, 400, "BadParameter", e.getMessage());
      return;
    } catch (GeneralSecurityException e) {
      error(exchange, 400, "BadParameter", "Unable to unwrap: the value does not decrypt");
      return;
    }
    String kid = endpoint() + "/keys/" + name + "/" + version.get().id();
    respond(
        exchange,
        200,
        "{\"kid\":\""
            + kid
            + "\",\"value\":\""
            + Base64.getUrlEncoder().withoutPadding().encodeToString(output)
            + "\"}");
  }

  /**
   * What {@code unwrapkey} would answer for key {@code name} at {@code version}, without HTTP: lets
   * a test play Key Vault's part when it checks the wrapped-key format from its description.
   */
  byte[] unwrapDirectly(String name, String version, String alg, byte[] wrapped)
      throws GeneralSecurityException {
    Version found =
        keys.get(name.toLowerCase()).stream()
            .filter(v -> v.id().equals(version))
            .findFirst()
            .orElseThrow();
    return compute(found.key(), alg, false, wrapped);
  }

  private static byte[] compute(VaultKey key, String alg, boolean wrap, byte[] input)
      throws GeneralSecurityException {
    return switch (key) {
      case VaultKey.Rsa rsa -> {
        if (!alg.equals("RSA-OAEP-256")) {
          throw new UnsupportedOperationException("Algorithm " + alg + " is not valid for RSA");
        }
        Cipher cipher = Cipher.getInstance("RSA/ECB/OAEPPadding");
        OAEPParameterSpec oaep =
            new OAEPParameterSpec(
                "SHA-256", "MGF1", MGF1ParameterSpec.SHA256, PSource.PSpecified.DEFAULT);
        if (wrap) {
          cipher.init(Cipher.ENCRYPT_MODE, rsa.pair().getPublic(), oaep);
        } else {
          cipher.init(Cipher.DECRYPT_MODE, rsa.pair().getPrivate(), oaep);
        }
        yield cipher.doFinal(input);
      }
      case VaultKey.Aes aes -> {
        if (!alg.equals("A256KW")) {
          throw new UnsupportedOperationException("Algorithm " + alg + " is not valid for oct-HSM");
        }
        Cipher cipher = Cipher.getInstance("AESWrap");
        if (wrap) {
          cipher.init(Cipher.WRAP_MODE, aes.key());
          yield cipher.wrap(new SecretKeySpec(input, "AES"));
        }
        cipher.init(Cipher.UNWRAP_MODE, aes.key());
        yield cipher.unwrap(input, "AES", Cipher.SECRET_KEY).getEncoded();
      }
    };
  }

  private static void error(HttpExchange exchange, int status, String code, String message)
      throws IOException {
    respond(
        exchange,
        status,
        "{\"error\":{\"code\":\"" + code + "\",\"message\":\"" + message + "\"}}");
  }

  private static void respond(HttpExchange exchange, int status, String json) throws IOException {
    byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().add("Content-Type", "application/json; charset=utf-8");
    exchange.getResponseHeaders().add("x-ms-request-id", java.util.UUID.randomUUID().toString());
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  private static byte[] randomBytes(int length) {
    byte[] bytes = new byte[length];
    new java.security.SecureRandom().nextBytes(bytes);
    return bytes;
  }

  /** Every recorded request body, path and query, for checks of what went over the wire. */
  List<String> wireTexts() {
    List<String> texts = new ArrayList<>();
    for (Request request : requests) {
      texts.add(request.path() + "?" + request.query() + " " + request.body());
    }
    return texts;
  }
}
