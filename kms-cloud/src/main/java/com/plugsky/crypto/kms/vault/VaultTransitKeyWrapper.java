package com.plugsky.crypto.kms.vault;

import com.plugsky.crypto.kms.call.CallAudit;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.plugsky.crypto.AuthenticationFailedException;
import com.plugsky.crypto.ConfigurationException;
import com.plugsky.crypto.CryptoException;
import com.plugsky.crypto.InvalidInputException;
import com.plugsky.crypto.KeyAccessDeniedException;
import com.plugsky.crypto.KeyUnavailableException;
import com.plugsky.crypto.MalformedCiphertextException;
import com.plugsky.crypto.audit.AuditEvent.Operation;
import com.plugsky.crypto.audit.AuditSink;
import com.plugsky.crypto.context.EncryptionContext;
import com.plugsky.crypto.keyref.KeyRef;
import com.plugsky.crypto.keyref.KeyRefScheme;
import com.plugsky.crypto.keyref.VaultTransitKeyRef;
import com.plugsky.crypto.keywrap.DataKey;
import com.plugsky.crypto.keywrap.KeyWrapper;
import com.plugsky.crypto.keywrap.WrappedKey;
import com.plugsky.crypto.kms.retry.RetryAfter;
import com.plugsky.crypto.kms.retry.RetryPolicy;
import com.plugsky.crypto.primitive.Bytes;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * The {@code vault-transit:} key wrapper: data keys encrypted by a HashiCorp Vault transit key over
 * Vault's HTTP API.
 *
 * <h2>Calls</h2>
 *
 * {@link #wrap} is {@code POST /v1/<mount>/encrypt/<key>}, {@link #unwrap} {@code /decrypt/<key>},
 * {@link #generateDataKey} (16, 32 or 64 bytes) {@code /datakey/plaintext/<key>}, and {@link
 * #rewrap} to the same key {@code /rewrap/<key>}, so the data key stays inside Vault and lands
 * under the key's latest version (or the target KeyRef's {@code ?version=}). A KeyRef's {@code
 * ?version=n} pins the version that wraps; unwrap reads it from the ciphertext.
 *
 * <h2>Context binding: derived keys only</h2>
 *
 * Every call sends {@code context} = base64 of the {@link EncryptionContext} canonical encoding.
 * Vault binds it only for keys created with {@code derived=true} (the key is then derived per
 * context), and transit's other binding, {@code associated_data}, is not accepted by rewrap or
 * datakey. So the wrapper serves derived keys only: before its first call under a key it reads
 * {@code GET /v1/<mount>/keys/<key>} (the token's policy needs {@code read} there) and refuses a
 * key that is not derived with {@link ConfigurationException}. Unwrapping with another context then
 * fails with {@link AuthenticationFailedException}.
 *
 * <h2>Wrapped bytes</h2>
 *
 * The ASCII of Vault's ciphertext, {@code vault:v<version>:<base64>}, unchanged, so the key version
 * travels with it and the Vault CLI can read it.
 *
 * <h2>Failures</h2>
 *
 * 429, 412 (replication lag), 5xx (503: sealed or standby), timeouts and connection errors are
 * {@link KeyUnavailableException} and retried by the {@link RetryPolicy}, whose attempt timeout
 * bounds each request; 403 is {@link KeyAccessDeniedException} (after one fresh AppRole login only
 * when the token came from one and {@code auth/token/lookup-self} shows Vault no longer accepts it,
 * at most once per 10 s); 400 on decrypt or rewrap is {@link AuthenticationFailedException}, on
 * other calls {@link InvalidInputException}; 404 (no such mount or key) is {@link
 * ConfigurationException}. Messages carry Vault's error text, never a token or key. Every call is
 * reported to the {@link AuditSink} with backend {@value #BACKEND}. Thread-safe; {@link #close()}
 * releases the HTTP client.
 */
public final class VaultTransitKeyWrapper implements KeyWrapper, AutoCloseable {
  /** The audit backend name. */
  public static final String BACKEND = "vault-transit";

  private static final Pattern CIPHERTEXT =
      Pattern.compile("vault:v[1-9][0-9]{0,9}:[A-Za-z0-9+/]{16,1024}={0,2}");
  private static final Set<Integer> DATAKEY_LENGTHS = Set.of(16, 32, 64);

  private final VaultHttp http;
  private final VaultCredentials credentials;
  private final RetryPolicy retryPolicy;
  private final CallAudit audit;
  private final Set<String> derivedKeys = ConcurrentHashMap.newKeySet();

  private VaultTransitKeyWrapper(Builder builder, Optional<SSLContext> tls) {
    this.retryPolicy = builder.retryPolicy;
    this.http =
        new VaultHttp(
            builder.address, builder.namespace, tls, builder.retryPolicy.attemptTimeout());
    this.credentials = builder.credentials;
    this.audit = new CallAudit(builder.auditSink, BACKEND);
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * A builder set from the environment: {@code VAULT_ADDR}; {@code VAULT_TOKEN}, or AppRole from
   * {@code VAULT_ROLE_ID} / {@code VAULT_ROLE_ID_FILE} and {@code VAULT_SECRET_ID} / {@code
   * VAULT_SECRET_ID_FILE} (login mount {@code VAULT_APPROLE_MOUNT}, default {@code approle});
   * {@code VAULT_NAMESPACE}; {@code VAULT_CACERT} (a PEM file of CA certificates).
   *
   * @throws ConfigurationException when the address or credentials are missing or unreadable
   */
  public static Builder fromEnvironment() {
    return fromEnvironment(System.getenv());
  }

  static Builder fromEnvironment(Map<String, String> env) {
    Builder builder = builder();
    String address =
        setting(env, "VAULT_ADDR")
            .orElseThrow(
                () ->
                    new ConfigurationException("VAULT_ADDR is not set (e.g. https://vault:8200)"));
    builder.address(parseAddress(address));
    Optional<String> token = setting(env, "VAULT_TOKEN");
    Optional<String> roleId = settingOrFile(env, "VAULT_ROLE_ID");
    if (token.isPresent()) {
      builder.token(token.get());
    } else if (roleId.isPresent()) {
      String secretId =
          settingOrFile(env, "VAULT_SECRET_ID")
              .orElseThrow(
                  () ->
                      new ConfigurationException(
                          "VAULT_ROLE_ID is set but neither VAULT_SECRET_ID nor"
                              + " VAULT_SECRET_ID_FILE is"));
      builder.appRole(
          setting(env, "VAULT_APPROLE_MOUNT").orElse("approle"), roleId.get(), secretId);
    } else {
      throw new ConfigurationException(
          "no Vault credentials: set VAULT_TOKEN, or VAULT_ROLE_ID (or VAULT_ROLE_ID_FILE) and"
              + " VAULT_SECRET_ID (or VAULT_SECRET_ID_FILE)");
    }
    setting(env, "VAULT_NAMESPACE").ifPresent(builder::namespace);
    setting(env, "VAULT_CACERT").map(Path::of).ifPresent(builder::caCertificates);
    return builder;
  }

  @Override
  public KeyRefScheme scheme() {
    return KeyRefScheme.VAULT_TRANSIT;
  }

  @Override
  public WrappedKey wrap(KeyRef keyRef, byte[] dataKey, EncryptionContext context) {
    Objects.requireNonNull(keyRef, "keyRef");
    Objects.requireNonNull(dataKey, "dataKey");
    Objects.requireNonNull(context, "context");
    return audit.record(
        Operation.WRAP,
        keyRef,
        dataKey.length,
        () -> {
          VaultTransitKeyRef key = requireVault(keyRef);
          KeyWrapper.requireDataKeyLength(dataKey.length);
          return retryPolicy.call(
              "Vault encrypt under " + key, () -> encrypt(key, dataKey, context));
        });
  }

  @Override
  public byte[] unwrap(WrappedKey wrappedKey, EncryptionContext context) {
    Objects.requireNonNull(wrappedKey, "wrappedKey");
    Objects.requireNonNull(context, "context");
    return audit.record(
        Operation.UNWRAP,
        wrappedKey.keyRef(),
        () -> {
          VaultTransitKeyRef key = requireVault(wrappedKey.keyRef());
          String ciphertext = ciphertextOf(wrappedKey);
          return retryPolicy.call(
              "Vault decrypt under " + key, () -> decrypt(key, ciphertext, context));
        },
        dataKey -> dataKey.length,
        Bytes::zero);
  }

  /**
   * One call to Vault's {@code datakey/plaintext} for 16, 32 or 64 bytes; other lengths take the
   * default path (a local random key, then {@link #wrap}).
   */
  @Override
  public DataKey generateDataKey(KeyRef keyRef, int length, EncryptionContext context) {
    Objects.requireNonNull(keyRef, "keyRef");
    Objects.requireNonNull(context, "context");
    if (!DATAKEY_LENGTHS.contains(length)) {
      return KeyWrapper.super.generateDataKey(keyRef, length, context);
    }
    return audit.record(
        Operation.GENERATE_DATA_KEY,
        keyRef,
        length,
        () -> {
          VaultTransitKeyRef key = requireVault(keyRef);
          return retryPolicy.call(
              "Vault datakey under " + key, () -> dataKey(key, length, context));
        });
  }

  /**
   * Vault's {@code rewrap} when {@code target} is the same transit key (to its latest version, or
   * the version {@code target} pins): the data key never leaves Vault. Another key takes the
   * default path, unwrap then wrap.
   */
  @Override
  public WrappedKey rewrap(WrappedKey wrappedKey, KeyRef target, EncryptionContext context) {
    Objects.requireNonNull(wrappedKey, "wrappedKey");
    Objects.requireNonNull(target, "target");
    Objects.requireNonNull(context, "context");
    if (!(wrappedKey.keyRef() instanceof VaultTransitKeyRef source)
        || !(target instanceof VaultTransitKeyRef key)
        || !source.mount().equals(key.mount())
        || !source.keyName().equals(key.keyName())) {
      return KeyWrapper.super.rewrap(wrappedKey, target, context);
    }
    return audit.record(
        Operation.REWRAP,
        target,
        0,
        () -> {
          String ciphertext = ciphertextOf(wrappedKey);
          return retryPolicy.call(
              "Vault rewrap under " + key, () -> rewrapInVault(key, ciphertext, context));
        });
  }

  private WrappedKey encrypt(VaultTransitKeyRef key, byte[] dataKey, EncryptionContext context) {
    requireDerived(key);
    byte[] body =
        VaultJson.object(
            json -> {
              json.writeFieldName("plaintext");
              json.writeBinary(dataKey);
              json.writeStringField("context", encodedContext(context));
              writeVersion(json, key);
            });
    return new WrappedKey(key, ciphertextFrom(key, postData(key, "encrypt", body, false)));
  }

  private byte[] decrypt(VaultTransitKeyRef key, String ciphertext, EncryptionContext context) {
    requireDerived(key);
    byte[] body =
        VaultJson.object(
            json -> {
              json.writeStringField("ciphertext", ciphertext);
              json.writeStringField("context", encodedContext(context));
            });
    return plaintextFrom(key, postData(key, "decrypt", body, true));
  }

  private DataKey dataKey(VaultTransitKeyRef key, int length, EncryptionContext context) {
    requireDerived(key);
    byte[] body =
        VaultJson.object(
            json -> {
              json.writeNumberField("bits", length * 8);
              json.writeStringField("context", encodedContext(context));
              writeVersion(json, key);
            });
    VaultJson.Data data = postData(key, "datakey/plaintext", body, false);
    byte[] plaintext = plaintextFrom(key, data);
    try {
      if (plaintext.length != length) {
        throw new KeyUnavailableException(
            "Vault datakey under "
                + key
                + " returned "
                + plaintext.length
                + " bytes, not "
                + length);
      }
      return new DataKey(plaintext, new WrappedKey(key, ciphertextFrom(key, data)));
    } finally {
      Bytes.zero(plaintext);
    }
  }

  private WrappedKey rewrapInVault(
      VaultTransitKeyRef key, String ciphertext, EncryptionContext context) {
    requireDerived(key);
    byte[] body =
        VaultJson.object(
            json -> {
              json.writeStringField("ciphertext", ciphertext);
              json.writeStringField("context", encodedContext(context));
              writeVersion(json, key);
            });
    return new WrappedKey(key, ciphertextFrom(key, postData(key, "rewrap", body, true)));
  }

  private static void writeVersion(JsonGenerator json, VaultTransitKeyRef key) throws IOException {
    if (key.version().isPresent()) {
      json.writeNumberField("key_version", key.version().getAsInt());
    }
  }

  /** Posts to {@code <mount>/<action>/<key>} and reads {@code data}; zeroes both bodies. */
  private VaultJson.Data postData(
      VaultTransitKeyRef key, String action, byte[] body, boolean decrypts) {
    String path = key.mount() + "/" + action + "/" + key.keyName();
    try {
      VaultHttp.Response response =
          authorized(key, path, decrypts, token -> http.post(path, body, Optional.of(token)));
      try {
        return VaultJson.data(response.body());
      } finally {
        Bytes.zero(response.body());
      }
    } finally {
      Bytes.zero(body);
    }
  }

  /**
   * Checks once per key that it is derived, so that Vault binds the context (see the class
   * comment).
   */
  private void requireDerived(VaultTransitKeyRef key) {
    String name = key.mount() + "/" + key.keyName();
    if (derivedKeys.contains(name)) {
      return;
    }
    String path = key.mount() + "/keys/" + key.keyName();
    VaultHttp.Response response =
        authorized(key, path, false, token -> http.get(path, Optional.of(token)));
    JsonNode data = VaultJson.tree(response.body()).path("data");
    if (!data.path("derived").asBoolean(false)) {
      throw new ConfigurationException(
          "Vault transit key "
              + key
              + " is not derived: this wrapper binds the encryption context through key"
              + " derivation, so create the key with derived=true");
    }
    derivedKeys.add(name);
  }

  /** Sends with the current token; after a 403, once more if the credentials logged in anew. */
  private VaultHttp.Response authorized(
      VaultTransitKeyRef key,
      String path,
      boolean decrypts,
      Function<String, VaultHttp.Response> send) {
    String token = credentials.current(http);
    VaultHttp.Response response = send.apply(token);
    if (response.status() == 403 && credentials.refreshAfterDenial(http, token)) {
      response = send.apply(credentials.current(http));
    }
    if (!response.ok()) {
      throw failure(key, path, response, decrypts);
    }
    return response;
  }

  private CryptoException failure(
      VaultTransitKeyRef key, String path, VaultHttp.Response response, boolean decrypts) {
    int status = response.status();
    String vaultSays = VaultJson.firstError(response.body());
    Bytes.zero(response.body());
    String call = "Vault " + path + " for " + key;
    if (status == 403) {
      return new KeyAccessDeniedException(
          call
              + " was refused (403): the token is invalid or expired, or its policy does not allow"
              + " this path");
    }
    if (status == 429) {
      return RetryAfter.unavailable(call + " was throttled (429)", null, response.retryAfter());
    }
    if (status == 412) {
      // Vault Enterprise performance standbys answer 412 until replicated state catches up.
      return new KeyUnavailableException(call + ": Vault state not yet replicated (412)");
    }
    if (status == 503) {
      return new KeyUnavailableException(
          call + ": Vault is sealed or in standby (503): " + vaultSays);
    }
    if (status >= 500) {
      return new KeyUnavailableException(call + " failed with HTTP " + status + ": " + vaultSays);
    }
    if (status == 404) {
      return new ConfigurationException(call + ": no such transit mount or key (404)");
    }
    if (status == 400 && decrypts) {
      return new AuthenticationFailedException(
          call
              + " could not decrypt: a different key or encryption context than at wrap time, or"
              + " modified wrapped bytes (Vault: "
              + vaultSays
              + ")");
    }
    if (status == 400) {
      return new InvalidInputException(call + " was rejected (400): " + vaultSays);
    }
    return new ConfigurationException(call + " answered HTTP " + status + ": " + vaultSays);
  }

  private static byte[] ciphertextFrom(VaultTransitKeyRef key, VaultJson.Data data) {
    String ciphertext =
        data.ciphertext()
            .filter(text -> CIPHERTEXT.matcher(text).matches())
            .orElseThrow(
                () ->
                    new KeyUnavailableException(
                        "Vault answered under " + key + " without a vault:v<n>: ciphertext"));
    return ciphertext.getBytes(StandardCharsets.US_ASCII);
  }

  private static byte[] plaintextFrom(VaultTransitKeyRef key, VaultJson.Data data) {
    byte[] plaintext =
        data.plaintext()
            .orElseThrow(
                () ->
                    new KeyUnavailableException(
                        "Vault answered under " + key + " without a plaintext"));
    if (plaintext.length < MIN_DATA_KEY_LENGTH || plaintext.length > MAX_DATA_KEY_LENGTH) {
      int length = plaintext.length;
      Bytes.zero(plaintext);
      throw new MalformedCiphertextException(
          "wrapped key under " + key + " holds " + length + " bytes, not a data key");
    }
    return plaintext;
  }

  private static String ciphertextOf(WrappedKey wrappedKey) {
    String text = new String(wrappedKey.bytes(), StandardCharsets.US_ASCII);
    if (!CIPHERTEXT.matcher(text).matches()) {
      throw new MalformedCiphertextException(
          "wrapped key under "
              + wrappedKey.keyRef()
              + " is not a Vault transit ciphertext (vault:v<n>:<base64>)");
    }
    return text;
  }

  private static String encodedContext(EncryptionContext context) {
    return Base64.getEncoder().encodeToString(context.encoded());
  }

  private static VaultTransitKeyRef requireVault(KeyRef keyRef) {
    if (keyRef instanceof VaultTransitKeyRef vault) {
      return vault;
    }
    throw new InvalidInputException(
        "the Vault transit key wrapper serves vault-transit: KeyRefs only, not "
            + keyRef.scheme().prefix());
  }

  @Override
  public void close() {
    http.close();
  }

  @Override
  public String toString() {
    return "VaultTransitKeyWrapper[address=" + http.address() + ", " + credentials + "]";
  }

  private static Optional<String> setting(Map<String, String> env, String name) {
    return Optional.ofNullable(env.get(name)).map(String::strip).filter(value -> !value.isEmpty());
  }

  /** {@code NAME} from the environment, else the contents of the file {@code NAME_FILE}. */
  private static Optional<String> settingOrFile(Map<String, String> env, String name) {
    Optional<String> direct = setting(env, name);
    if (direct.isPresent()) {
      return direct;
    }
    Optional<String> file = setting(env, name + "_FILE");
    if (file.isEmpty()) {
      return Optional.empty();
    }
    try {
      String value = Files.readString(Path.of(file.get())).strip();
      if (value.isEmpty()) {
        throw new ConfigurationException(name + "_FILE " + file.get() + " is empty");
      }
      return Optional.of(value);
    } catch (IOException e) {
      throw new ConfigurationException("cannot read " + name + "_FILE " + file.get(), e);
    }
  }

  private static URI parseAddress(String address) {
    URI uri;
    try {
      uri = URI.create(address);
    } catch (IllegalArgumentException e) {
      throw new ConfigurationException("Vault address '" + address + "' is not a URI", e);
    }
    if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))
        || uri.getHost() == null) {
      throw new ConfigurationException(
          "Vault address '" + address + "' must be http(s)://host[:port]");
    }
    return uri;
  }

  /** Configures a {@link VaultTransitKeyWrapper}: an address and credentials are required. */
  public static final class Builder {
    private URI address;
    private VaultCredentials credentials;
    private Optional<String> namespace = Optional.empty();
    private Path caCertificates;
    private SSLContext sslContext;
    private RetryPolicy retryPolicy = RetryPolicy.defaults();
    private AuditSink auditSink = AuditSink.NONE;

    private Builder() {}

    /** Vault's address, e.g. {@code https://vault.example.com:8200}. */
    public Builder address(URI address) {
      this.address = parseAddress(Objects.requireNonNull(address, "address").toString());
      return this;
    }

    /** A fixed Vault token. */
    public Builder token(String token) {
      Objects.requireNonNull(token, "token");
      if (token.isBlank()) {
        throw new ConfigurationException("Vault token is blank");
      }
      this.credentials = VaultCredentials.token(token.strip());
      return this;
    }

    /** AppRole login at {@code auth/approle}. */
    public Builder appRole(String roleId, String secretId) {
      return appRole("approle", roleId, secretId);
    }

    /** AppRole login at {@code auth/<mount>}; repeated before the token's TTL runs out. */
    public Builder appRole(String mount, String roleId, String secretId) {
      Objects.requireNonNull(mount, "mount");
      Objects.requireNonNull(roleId, "roleId");
      Objects.requireNonNull(secretId, "secretId");
      if (!mount.matches("[A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)*")) {
        throw new ConfigurationException("AppRole mount '" + mount + "' is not a Vault path");
      }
      if (roleId.isBlank() || secretId.isBlank()) {
        throw new ConfigurationException("AppRole role id and secret id must not be blank");
      }
      this.credentials = VaultCredentials.appRole(mount, roleId.strip(), secretId.strip());
      return this;
    }

    /** The Vault Enterprise namespace sent as {@code X-Vault-Namespace}. */
    public Builder namespace(String namespace) {
      this.namespace = Optional.of(Objects.requireNonNull(namespace, "namespace").strip());
      return this;
    }

    /** A PEM file of the CA certificates that Vault's TLS certificate chains to. */
    public Builder caCertificates(Path pemFile) {
      this.caCertificates = Objects.requireNonNull(pemFile, "pemFile");
      return this;
    }

    /** The TLS setup to use instead of the JDK's default trust store or {@link #caCertificates}. */
    public Builder sslContext(SSLContext sslContext) {
      this.sslContext = Objects.requireNonNull(sslContext, "sslContext");
      return this;
    }

    /** Attempts, backoff and the per-request timeout; {@link RetryPolicy#defaults()} by default. */
    public Builder retryPolicy(RetryPolicy retryPolicy) {
      this.retryPolicy = Objects.requireNonNull(retryPolicy, "retryPolicy");
      return this;
    }

    /** Receives an event per call; {@link AuditSink#NONE} by default. */
    public Builder auditSink(AuditSink auditSink) {
      this.auditSink = Objects.requireNonNull(auditSink, "auditSink");
      return this;
    }

    /**
     * @throws ConfigurationException without an address or credentials, or with unreadable CA
     *     certificates
     */
    public VaultTransitKeyWrapper build() {
      if (address == null) {
        throw new ConfigurationException("Vault address is not set");
      }
      if (credentials == null) {
        throw new ConfigurationException("Vault credentials are not set: a token or AppRole");
      }
      Optional<SSLContext> tls =
          sslContext != null
              ? Optional.of(sslContext)
              : Optional.ofNullable(caCertificates).map(Builder::trusting);
      return new VaultTransitKeyWrapper(this, tls);
    }

    private static SSLContext trusting(Path pemFile) {
      try (InputStream in = Files.newInputStream(pemFile)) {
        List<? extends Certificate> certificates =
            List.copyOf(CertificateFactory.getInstance("X.509").generateCertificates(in));
        if (certificates.isEmpty()) {
          throw new ConfigurationException("no certificates in Vault CA file " + pemFile);
        }
        KeyStore trusted = KeyStore.getInstance(KeyStore.getDefaultType());
        trusted.load(null, null);
        for (int i = 0; i < certificates.size(); i++) {
          trusted.setCertificateEntry("vault-ca-" + i, certificates.get(i));
        }
        TrustManagerFactory trust =
            TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(trusted);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trust.getTrustManagers(), null);
        return context;
      } catch (IOException | GeneralSecurityException e) {
        throw new ConfigurationException("cannot load Vault CA certificates from " + pemFile, e);
      }
    }
  }
}
