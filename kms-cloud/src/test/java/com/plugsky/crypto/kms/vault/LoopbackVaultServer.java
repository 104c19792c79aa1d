package com.plugsky.crypto.kms.vault;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.KDF;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.HKDFParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import javax.net.ssl.SSLContext;

/**
 * A Vault transit engine on 127.0.0.1 for tests, speaking the HTTP API the wrapper uses and doing
 * the real cryptography: AES-256-GCM keys with versions, per-context keys for derived keys
 * (HKDF-SHA256 of the key version with the context as info, as Vault derives them), rotation,
 * rewrap, datakey, AppRole login issuing tokens with a TTL, and {@code X-Vault-Token} checks.
 * Faults are queued per request: an HTTP status (429, 500, 503 sealed, ...) or a hang.
 */
final class LoopbackVaultServer implements AutoCloseable {
  static final String ROOT_TOKEN = "root-token-for-tests";

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Pattern ROUTE =
      Pattern.compile("/v1/(.+)/(encrypt|decrypt|rewrap|datakey/plaintext|keys)/([^/]+)");
  private static final Pattern CIPHERTEXT = Pattern.compile("vault:v([0-9]+):(.+)");

  private final HttpServer server;
  private final ExecutorService executor = Executors.newCachedThreadPool();
  private final Map<String, TransitKey> keys = new ConcurrentHashMap<>();
  private final Map<String, Long> tokenExpiryNanos = new ConcurrentHashMap<>();
  private final Map<String, String> appRoles = new ConcurrentHashMap<>();
  private final Set<String> deniedPaths = ConcurrentHashMap.newKeySet();
  private final ConcurrentLinkedQueue<Fault> faults = new ConcurrentLinkedQueue<>();
  private final Map<String, AtomicInteger> requests = new ConcurrentHashMap<>();
  private final CountDownLatch stopHanging = new CountDownLatch(1);
  private final AtomicBoolean closed = new AtomicBoolean();
  private volatile Duration tokenTtl = Duration.ofHours(1);

  private record Fault(int status, String error, boolean hang, String retryAfter) {}

  private static final class TransitKey {
    final boolean derived;
    final List<byte[]> versions = new ArrayList<>();

    TransitKey(boolean derived) {
      this.derived = derived;
      rotate();
    }

    synchronized void rotate() {
      byte[] key = new byte[32];
      RANDOM.nextBytes(key);
      versions.add(key);
    }

    synchronized int latest() {
      return versions.size();
    }

    synchronized byte[] version(int version) {
      return versions.get(version - 1);
    }
  }

  /** A client error reported as {@code {"errors":[message]}} with its status. */
  private static final class VaultError extends Exception {
    final int status;

    VaultError(int status, String message) {
      super(message, null, false, false);
      this.status = status;
    }
  }

  /** Plain HTTP. */
  LoopbackVaultServer() throws IOException {
    this(null);
  }

  /** HTTPS with {@code tls}'s certificate, or plain HTTP when it is null. */
  LoopbackVaultServer(SSLContext tls) throws IOException {
    tokenExpiryNanos.put(ROOT_TOKEN, Long.MAX_VALUE);
    InetSocketAddress loopback = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    if (tls == null) {
      server = HttpServer.create(loopback, 0);
    } else {
      HttpsServer https = HttpsServer.create(loopback, 0);
      https.setHttpsConfigurator(new HttpsConfigurator(tls));
      server = https;
    }
    server.setExecutor(executor);
    server.createContext("/", this::handle);
    server.start();
  }

  URI address() {
    String scheme = server instanceof HttpsServer ? "https" : "http";
    return URI.create(scheme + "://127.0.0.1:" + server.getAddress().getPort());
  }

  void createKey(String mountAndKey, boolean derived) {
    keys.put(mountAndKey, new TransitKey(derived));
  }

  void rotate(String mountAndKey) {
    keys.get(mountAndKey).rotate();
  }

  void addAppRole(String roleId, String secretId) {
    appRoles.put(roleId, secretId);
  }

  void tokenTtl(Duration ttl) {
    this.tokenTtl = ttl;
  }

  /** Makes every issued token (not the root token) invalid, as a revocation or expiry would. */
  void expireIssuedTokens() {
    tokenExpiryNanos.replaceAll((token, expiry) -> token.equals(ROOT_TOKEN) ? expiry : 0L);
  }

  /**
   * Refuses {@code path} (e.g. {@code transit/keys/orders}) with 403 to every issued token, as a
   * policy without a capability on it would.
   */
  void deny(String path) {
    deniedPaths.add(path);
  }

  /** The next {@code count} requests fail with {@code status}. */
  void failNext(int count, int status, String error) {
    for (int i = 0; i < count; i++) {
      faults.add(new Fault(status, error, false, ""));
    }
  }

  /** The next request is refused with 429 and this {@code Retry-After}, as by a rate limit quota. */
  void throttleNext(String retryAfter) {
    faults.add(new Fault(429, "request path \"transit/\": rate limit quota exceeded", false, retryAfter));
  }

  /** The next {@code count} requests never get an answer (until the server closes). */
  void hangNext(int count) {
    for (int i = 0; i < count; i++) {
      faults.add(new Fault(0, "", true, ""));
    }
  }

  /**
   * How many requests asked for {@code action}, e.g. {@code "encrypt"}, {@code "datakey"}, {@code
   * "login"}.
   */
  int requests(String action) {
    return requests.getOrDefault(action, new AtomicInteger()).get();
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      String path = exchange.getRequestURI().getPath();
      requests.computeIfAbsent(actionOf(path), a -> new AtomicInteger()).incrementAndGet();
      Fault fault = faults.poll();
      if (fault != null && fault.hang()) {
        stopHanging.await(1, TimeUnit.MINUTES);
        return;
      }
      if (fault != null) {
        if (!fault.retryAfter().isEmpty()) {
          exchange.getResponseHeaders().set("Retry-After", fault.retryAfter());
        }
        send(exchange, fault.status(), errors(fault.error()));
        return;
      }
      byte[] body = exchange.getRequestBody().readAllBytes();
      try {
        send(exchange, 200, route(exchange, path, body));
      } catch (VaultError e) {
        send(exchange, e.status, errors(e.getMessage()));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static String actionOf(String path) {
    if (path.endsWith("/login")) {
      return "login";
    }
    if (path.endsWith("/lookup-self")) {
      return "lookup-self";
    }
    Matcher route = ROUTE.matcher(path);
    return route.matches() ? route.group(2).split("/")[0] : path;
  }

  private ObjectNode route(HttpExchange exchange, String path, byte[] body)
      throws VaultError, IOException {
    Matcher login = Pattern.compile("/v1/auth/(.+)/login").matcher(path);
    if (login.matches() && exchange.getRequestMethod().equals("POST")) {
      return login(JSON.readTree(body));
    }
    String token = exchange.getRequestHeaders().getFirst("X-Vault-Token");
    checkToken(token);
    if (path.equals("/v1/auth/token/lookup-self")) {
      return response(JSON.createObjectNode().put("ttl", tokenTtl.toSeconds()));
    }
    if (!token.equals(ROOT_TOKEN) && deniedPaths.contains(path.substring("/v1/".length()))) {
      throw new VaultError(403, "1 error occurred:\n\t* permission denied\n\n");
    }
    Matcher route = ROUTE.matcher(path);
    if (!route.matches()) {
      throw new VaultError(404, "no handler for route \"" + path + "\"");
    }
    String keyName = route.group(1) + "/" + route.group(3);
    TransitKey key = keys.get(keyName);
    if (route.group(2).equals("keys")) {
      if (key == null) {
        throw new VaultError(404, "");
      }
      ObjectNode data = JSON.createObjectNode();
      data.put("derived", key.derived)
          .put("type", "aes256-gcm96")
          .put("latest_version", key.latest());
      return response(data);
    }
    if (key == null) {
      throw new VaultError(400, "encryption key not found");
    }
    JsonNode request = JSON.readTree(body);
    byte[] context = context(key, request);
    return switch (route.group(2)) {
      case "encrypt" -> {
        byte[] plaintext = base64(request, "plaintext");
        yield response(
            JSON.createObjectNode()
                .put("ciphertext", encrypt(key, version(key, request), context, plaintext)));
      }
      case "decrypt" ->
          response(
              JSON.createObjectNode()
                  .put("plaintext", decrypt(key, request.path("ciphertext").asText(), context)));
      case "rewrap" -> {
        byte[] plaintext =
            Base64.getDecoder().decode(decrypt(key, request.path("ciphertext").asText(), context));
        yield response(
            JSON.createObjectNode()
                .put("ciphertext", encrypt(key, version(key, request), context, plaintext)));
      }
      case "datakey/plaintext" -> {
        int bits = request.path("bits").asInt(256);
        if (bits != 128 && bits != 256 && bits != 512) {
          throw new VaultError(400, "invalid bit size");
        }
        byte[] plaintext = new byte[bits / 8];
        RANDOM.nextBytes(plaintext);
        yield response(
            JSON.createObjectNode()
                .put("plaintext", Base64.getEncoder().encodeToString(plaintext))
                .put("ciphertext", encrypt(key, version(key, request), context, plaintext)));
      }
      default -> throw new VaultError(404, "unsupported path");
    };
  }

  private ObjectNode login(JsonNode request) throws VaultError {
    String secretId = appRoles.get(request.path("role_id").asText());
    if (secretId == null || !secretId.equals(request.path("secret_id").asText())) {
      throw new VaultError(400, "invalid role or secret ID");
    }
    String token = "hvs." + UUID.randomUUID();
    Duration ttl = tokenTtl;
    tokenExpiryNanos.put(token, System.nanoTime() + ttl.toNanos());
    ObjectNode auth = JSON.createObjectNode();
    auth.put("client_token", token).put("lease_duration", ttl.toSeconds()).put("renewable", true);
    ObjectNode root = JSON.createObjectNode();
    root.set("auth", auth);
    return root;
  }

  private void checkToken(String token) throws VaultError {
    Long expiry = token == null ? null : tokenExpiryNanos.get(token);
    if (expiry == null || (expiry != Long.MAX_VALUE && System.nanoTime() - expiry >= 0)) {
      throw new VaultError(403, "permission denied");
    }
  }

  private static byte[] context(TransitKey key, JsonNode request) throws VaultError {
    if (!key.derived) {
      return new byte[0];
    }
    if (!request.path("context").isTextual() || request.path("context").asText().isEmpty()) {
      throw new VaultError(
          400,
          "missing 'context' for key derivation; the key was created using a"
              + " derived key, which means additional, per-request information must be included in"
              + " order to perform operations with the key");
    }
    return base64(request, "context");
  }

  private static int version(TransitKey key, JsonNode request) throws VaultError {
    int version = request.path("key_version").asInt(0);
    if (version == 0) {
      return key.latest();
    }
    if (version > key.latest()) {
      throw new VaultError(
          400, "requested version for encryption is greater than the latest key version");
    }
    return version;
  }

  private static String encrypt(TransitKey key, int version, byte[] context, byte[] plaintext)
      throws VaultError {
    byte[] nonce = new byte[12];
    RANDOM.nextBytes(nonce);
    byte[] sealed = gcm(Cipher.ENCRYPT_MODE, keyFor(key, version, context), nonce, plaintext);
    return "vault:v"
        + version
        + ":"
        + Base64.getEncoder()
            .encodeToString(ByteBuffer.allocate(12 + sealed.length).put(nonce).put(sealed).array());
  }

  private static String decrypt(TransitKey key, String ciphertext, byte[] context)
      throws VaultError {
    Matcher parts = CIPHERTEXT.matcher(ciphertext);
    if (!parts.matches()) {
      throw new VaultError(400, "invalid ciphertext: no prefix");
    }
    int version = Integer.parseInt(parts.group(1));
    if (version < 1 || version > key.latest()) {
      throw new VaultError(400, "invalid key version");
    }
    byte[] bytes;
    try {
      bytes = Base64.getDecoder().decode(parts.group(2));
    } catch (IllegalArgumentException e) {
      throw new VaultError(400, "invalid ciphertext: could not decode base64");
    }
    if (bytes.length < 12 + 16) {
      throw new VaultError(400, "invalid ciphertext: too short");
    }
    byte[] nonce = Arrays.copyOf(bytes, 12);
    byte[] sealed = Arrays.copyOfRange(bytes, 12, bytes.length);
    return Base64.getEncoder()
        .encodeToString(gcm(Cipher.DECRYPT_MODE, keyFor(key, version, context), nonce, sealed));
  }

  private static byte[] keyFor(TransitKey key, int version, byte[] context) {
    byte[] base = key.version(version);
    if (!key.derived) {
      return base;
    }
    try {
      return KDF.getInstance("HKDF-SHA256")
          .deriveData(HKDFParameterSpec.ofExtract().addIKM(base).thenExpand(context, 32));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static byte[] gcm(int mode, byte[] key, byte[] nonce, byte[] input) throws VaultError {
    try {
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(mode, new SecretKeySpec(key, "AES"), new GCMParameterSpec(128, nonce));
      return cipher.doFinal(input);
    } catch (AEADBadTagException e) {
      throw new VaultError(400, "cipher: message authentication failed");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static byte[] base64(JsonNode request, String field) throws VaultError {
    try {
      return Base64.getDecoder().decode(request.path(field).asText());
    } catch (IllegalArgumentException e) {
      throw new VaultError(400, "failed to base64-decode " + field);
    }
  }

  private static ObjectNode response(ObjectNode data) {
    ObjectNode root = JSON.createObjectNode();
    root.put("request_id", UUID.randomUUID().toString());
    root.set("data", data);
    return root;
  }

  private static ObjectNode errors(String message) {
    ObjectNode root = JSON.createObjectNode();
    root.putArray("errors").add(message);
    return root;
  }

  private static void send(HttpExchange exchange, int status, ObjectNode body) throws IOException {
    byte[] bytes = JSON.writeValueAsBytes(body);
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  /** Stops answering, as a Vault that dies would; closing again does nothing. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    stopHanging.countDown();
    server.stop(0);
    executor.shutdownNow();
  }
}
