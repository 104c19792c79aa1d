package com.plugsky.crypto.openssl;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The slice of libcrypto this engine calls, bound once per library with java.lang.foreign.
 *
 * <p>No call blocks or calls back into Java, so they are linked as critical downcalls; the ones
 * that take caller data also allow heap segments, which lets byte[] inputs and outputs go to OpenSSL
 * without a copy. A critical call keeps the JVM from reaching a safepoint while it runs, so callers
 * keep each one short: {@link GcmContext} hands a long message to EVP_CipherUpdate in pieces of
 * {@value GcmContext#UPDATE_CHUNK} bytes.
 */
final class LibCrypto {
  /** System property naming the libcrypto to load: a path or a library name. */
  static final String LIBRARY_PROPERTY = "plugsky.crypto.libcrypto";

  static final List<String> DEFAULT_NAMES = List.of("libcrypto.so.3", "libcrypto.so");

  static final int EVP_CTRL_AEAD_SET_IVLEN = 0x9;
  static final int EVP_CTRL_AEAD_GET_TAG = 0x10;
  static final int EVP_CTRL_AEAD_SET_TAG = 0x11;
  static final int EVP_CIPHER_CTX_FLAG_WRAP_ALLOW = 0x1;
  private static final long OPENSSL_3_0 = 0x3000_0000L;

  final String libraryName;
  final String versionText;

  final MethodHandle cipherCtxNew;
  final MethodHandle cipherCtxFree;
  final MethodHandle cipherCtxCopy;
  final MethodHandle cipherCtxCtrl;
  final MethodHandle cipherCtxSetFlags;
  final MethodHandle cipherInit;
  final MethodHandle cipherUpdate;
  final MethodHandle cipherUpdateAtAddresses;
  final MethodHandle cipherCtxCtrlAtAddress;
  final MethodHandle cipherFinal;
  final MethodHandle hmac;
  final MethodHandle cleanse;
  final MethodHandle errClear;

  /**
   * {@code SHA256_Transform}, one SHA-256 block into a chaining state; deprecated in OpenSSL 3 but
   * exported by it, AWS-LC and BoringSSL; null when the library lacks it.
   */
  final MethodHandle sha256Block;

  /** {@code RAND_bytes}, libcrypto's DRBG for public values. */
  final MethodHandle randBytes;

  /** {@code RAND_priv_bytes} (OpenSSL 1.1.1+, AWS-LC), its DRBG for secrets; else RAND_bytes. */
  final MethodHandle randPrivateBytes;

  private final MethodHandle cipherFetch;
  private final SymbolLookup symbols;
  private final MethodHandle sha256;

  private LibCrypto(String libraryName, SymbolLookup symbols) {
    this.libraryName = libraryName;
    this.symbols = symbols;
    Linker linker = Linker.nativeLinker();
    Linker.Option critical = Linker.Option.critical(false);
    Linker.Option criticalHeap = Linker.Option.critical(true);

    MethodHandle versionNum = bind(linker, "OpenSSL_version_num", FunctionDescriptor.of(JAVA_LONG), critical);
    MethodHandle version = bind(linker, "OpenSSL_version", FunctionDescriptor.of(ADDRESS, JAVA_INT), critical);
    this.versionText = readVersion(version);
    checkVersion(invokeLong(versionNum), versionText);

    cipherCtxNew = bind(linker, "EVP_CIPHER_CTX_new", FunctionDescriptor.of(ADDRESS), critical);
    cipherCtxFree = bind(linker, "EVP_CIPHER_CTX_free", FunctionDescriptor.ofVoid(ADDRESS), critical);
    cipherCtxCopy = bind(linker, "EVP_CIPHER_CTX_copy", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS), critical);
    cipherCtxCtrl = bind(linker, "EVP_CIPHER_CTX_ctrl",
        FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, ADDRESS), criticalHeap);
    cipherCtxSetFlags = bind(linker, "EVP_CIPHER_CTX_set_flags", FunctionDescriptor.ofVoid(ADDRESS, JAVA_INT), critical);
    cipherInit = bind(linker, "EVP_CipherInit_ex",
        FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, JAVA_INT), criticalHeap);
    cipherUpdate = bind(linker, "EVP_CipherUpdate",
        FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS, JAVA_INT), criticalHeap);
    // Direct buffers pass their native addresses as plain longs: a MemorySegment per buffer per
    // call escapes the JIT's analysis in the engine's call chain and costs ~180 bytes a call.
    cipherUpdateAtAddresses = bind(linker, "EVP_CipherUpdate",
        FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, ADDRESS, JAVA_LONG, JAVA_INT), criticalHeap);
    cipherCtxCtrlAtAddress = bind(linker, "EVP_CIPHER_CTX_ctrl",
        FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, JAVA_LONG), critical);
    cipherFinal = bind(linker, "EVP_CipherFinal_ex",
        FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS), criticalHeap);
    hmac = bind(linker, "HMAC",
        FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS, JAVA_INT, ADDRESS, JAVA_LONG, ADDRESS, ADDRESS), criticalHeap);
    sha256 = bind(linker, "EVP_sha256", FunctionDescriptor.of(ADDRESS), critical);
    cleanse = bind(linker, "OPENSSL_cleanse", FunctionDescriptor.ofVoid(ADDRESS, JAVA_LONG), critical);
    errClear = bind(linker, "ERR_clear_error", FunctionDescriptor.ofVoid(), critical);
    FunctionDescriptor fill = FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT);
    randBytes = bind(linker, "RAND_bytes", fill, criticalHeap);
    randPrivateBytes = symbols.find("RAND_priv_bytes")
        .map(address -> linker.downcallHandle(address, fill, criticalHeap))
        .orElse(randBytes);
    sha256Block = symbols.find("SHA256_Transform")
        .map(address -> linker.downcallHandle(address, FunctionDescriptor.ofVoid(ADDRESS, ADDRESS), criticalHeap))
        .orElse(null);
    // OpenSSL 3 fetches a cipher once instead of looking it up on every init; AWS-LC and
    // BoringSSL have no fetch and are served by the legacy EVP_aes_* getters.
    cipherFetch = symbols.find("EVP_CIPHER_fetch")
        .map(address -> linker.downcallHandle(address, FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS, ADDRESS), critical))
        .orElse(null);
  }

  private static LibCrypto loaded;

  /**
   * The JVM's libcrypto, loaded on first use and kept: the engine binds its hot downcalls once
   * ({@link Evp}), so a JVM runs on one library.
   */
  static synchronized LibCrypto loaded() {
    if (loaded == null) {
      loaded = load();
    }
    return loaded;
  }

  /**
   * Loads libcrypto afresh: the library named by {@value #LIBRARY_PROPERTY} if set, otherwise the first
   * of {@link #DEFAULT_NAMES} the dynamic linker finds.
   *
   * @throws IllegalStateException saying which names were tried and why each failed
   */
  static LibCrypto load() {
    String configured = System.getProperty(LIBRARY_PROPERTY);
    List<String> candidates = configured == null || configured.isBlank() ? DEFAULT_NAMES : List.of(configured.strip());
    List<String> failures = new ArrayList<>();
    for (String candidate : candidates) {
      Optional<SymbolLookup> lookup = open(candidate, failures);
      if (lookup.isPresent()) {
        return new LibCrypto(candidate, lookup.get());
      }
    }
    throw new IllegalStateException("libcrypto not found: " + String.join("; ", failures)
        + (configured == null ? " (set -D" + LIBRARY_PROPERTY + "=/path/to/libcrypto.so to choose one)" : ""));
  }

  private static Optional<SymbolLookup> open(String candidate, List<String> failures) {
    try {
      if (candidate.contains("/")) {
        Path path = Path.of(candidate);
        if (!Files.isReadable(path)) {
          failures.add(candidate + ": no such readable file");
          return Optional.empty();
        }
        return Optional.of(SymbolLookup.libraryLookup(path, Arena.global()));
      }
      return Optional.of(SymbolLookup.libraryLookup(candidate, Arena.global()));
    } catch (IllegalArgumentException e) {
      failures.add(candidate + ": " + e.getMessage());
      return Optional.empty();
    }
  }

  /**
   * Accepts OpenSSL 3.0 or newer, and the AWS-LC and BoringSSL forks (which report an OpenSSL
   * 1.1.1 compatibility number but have the EVP AES-GCM and wrap functions used here).
   */
  static void checkVersion(long versionNumber, String versionText) {
    boolean fork = versionText.contains("BoringSSL") || versionText.contains("AWS-LC");
    if (!fork && versionNumber < OPENSSL_3_0) {
      throw new IllegalStateException("libcrypto is " + versionText + " (0x" + Long.toHexString(versionNumber)
          + "); the native engine needs OpenSSL 3.0 or newer, AWS-LC or BoringSSL");
    }
  }

  /** The EVP cipher for {@code name} (OpenSSL name, e.g. AES-256-GCM), fetched once. */
  MemorySegment cipher(String fetchName, String legacyGetter) {
    try {
      MemorySegment cipher;
      if (cipherFetch != null) {
        try (Arena arena = Arena.ofConfined()) {
          cipher = (MemorySegment) cipherFetch.invokeExact(MemorySegment.NULL, arena.allocateFrom(fetchName), MemorySegment.NULL);
        }
      } else {
        MethodHandle getter = bind(Linker.nativeLinker(), legacyGetter, FunctionDescriptor.of(ADDRESS), Linker.Option.critical(false));
        cipher = (MemorySegment) getter.invokeExact();
      }
      if (cipher.equals(MemorySegment.NULL)) {
        throw new IllegalStateException(libraryName + " has no cipher " + fetchName);
      }
      return cipher;
    } catch (Throwable e) {
      throw rethrow(e);
    }
  }

  MemorySegment sha256() {
    try {
      return (MemorySegment) sha256.invokeExact();
    } catch (Throwable e) {
      throw rethrow(e);
    }
  }

  void clearErrors() {
    try {
      errClear.invokeExact();
    } catch (Throwable e) {
      throw rethrow(e);
    }
  }

  void cleanse(MemorySegment secret) {
    try {
      cleanse.invokeExact(secret, secret.byteSize());
    } catch (Throwable e) {
      throw rethrow(e);
    }
  }

  static RuntimeException rethrow(Throwable e) {
    if (e instanceof RuntimeException runtime) {
      return runtime;
    }
    if (e instanceof Error error) {
      throw error;
    }
    return new IllegalStateException("libcrypto call failed", e);
  }

  private MethodHandle bind(Linker linker, String name, FunctionDescriptor descriptor, Linker.Option option) {
    MemorySegment address = symbols.find(name)
        .orElseThrow(() -> new IllegalStateException(libraryName + " does not export " + name + " (is it libcrypto?)"));
    return linker.downcallHandle(address, descriptor, option);
  }

  private static long invokeLong(MethodHandle handle) {
    try {
      return (long) handle.invokeExact();
    } catch (Throwable e) {
      throw rethrow(e);
    }
  }

  private static String readVersion(MethodHandle version) {
    try {
      MemorySegment text = (MemorySegment) version.invokeExact(0);
      return text.reinterpret(256).getString(0);
    } catch (Throwable e) {
      throw rethrow(e);
    }
  }
}
