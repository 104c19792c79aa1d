package com.plugsky.crypto.kms.azure;

import com.plugsky.crypto.MalformedCiphertextException;
import com.plugsky.crypto.aead.Aead;
import com.plugsky.crypto.keywrap.KeyWrapper;
import com.plugsky.crypto.primitive.Bytes;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * The bytes of an {@code azure-kv:} wrapped key, format version 1 (see {@link
 * AzureKeyVaultKeyWrapper} and docs/FORMAT.md): a header naming how and under which key version the
 * intermediate key was wrapped, the wrapped intermediate key, and the data key sealed under a key
 * derived from the intermediate key.
 *
 * @param algorithm how Key Vault wrapped the intermediate key
 * @param keyVersion the 32 hex digits of the key version that wrapped it
 * @param wrappedIntermediateKey Key Vault's wrapKey output
 * @param sealedDataKey {@code nonce || AES-256-GCM ciphertext || tag} of the data key
 */
record KeyVaultWrappedKey(
    KeyVaultWrapAlgorithm algorithm,
    String keyVersion,
    byte[] wrappedIntermediateKey,
    byte[] sealedDataKey) {
  static final byte FORMAT_VERSION = 1;
  static final int INTERMEDIATE_KEY_LENGTH = 32;
  private static final int KEY_VERSION_BYTES = 16;
  private static final int HEADER_LENGTH = 1 + 1 + KEY_VERSION_BYTES + 2;
  private static final int MIN_SEALED = Aead.OVERHEAD + KeyWrapper.MIN_DATA_KEY_LENGTH;
  private static final int MAX_SEALED = Aead.OVERHEAD + KeyWrapper.MAX_DATA_KEY_LENGTH;
  private static final Pattern KEY_VERSION = Pattern.compile("[0-9a-f]{32}");

  KeyVaultWrappedKey {
    if (!KEY_VERSION.matcher(keyVersion).matches()) {
      throw new IllegalArgumentException("key version must be 32 lower-case hex digits");
    }
  }

  /** The bytes the data key's seal authenticates, besides the KeyRef: everything before it. */
  byte[] header() {
    return header(algorithm, keyVersion, wrappedIntermediateKey);
  }

  static byte[] header(
      KeyVaultWrapAlgorithm algorithm, String keyVersion, byte[] wrappedIntermediateKey) {
    return ByteBuffer.allocate(HEADER_LENGTH + wrappedIntermediateKey.length)
        .put(FORMAT_VERSION)
        .put((byte) algorithm.id())
        .put(HexFormat.of().parseHex(keyVersion))
        .putShort((short) wrappedIntermediateKey.length)
        .put(wrappedIntermediateKey)
        .array();
  }

  byte[] encoded() {
    byte[] header = header();
    return ByteBuffer.allocate(header.length + sealedDataKey.length)
        .put(header)
        .put(sealedDataKey)
        .array();
  }

  /** Checks every length and field before anything is sent to Key Vault or decrypted. */
  static KeyVaultWrappedKey parse(byte[] bytes) {
    if (bytes.length == 0) {
      throw new MalformedCiphertextException("azure-kv wrapped key is empty");
    }
    if (bytes[0] != FORMAT_VERSION) {
      throw new MalformedCiphertextException(
          "azure-kv wrapped key has format version "
              + Byte.toUnsignedInt(bytes[0])
              + "; this library reads version "
              + FORMAT_VERSION);
    }
    if (bytes.length < HEADER_LENGTH) {
      throw new MalformedCiphertextException(
          "azure-kv wrapped key is " + bytes.length + " bytes, shorter than its header");
    }
    ByteBuffer in = ByteBuffer.wrap(bytes, 1, bytes.length - 1);
    int algorithmId = Byte.toUnsignedInt(in.get());
    KeyVaultWrapAlgorithm algorithm =
        KeyVaultWrapAlgorithm.byId(algorithmId)
            .orElseThrow(
                () ->
                    new MalformedCiphertextException(
                        "azure-kv wrapped key names unknown algorithm " + algorithmId));
    byte[] version = new byte[KEY_VERSION_BYTES];
    in.get(version);
    int wrappedLength = Short.toUnsignedInt(in.getShort());
    if (!algorithm.acceptsWrappedLength(wrappedLength)) {
      throw new MalformedCiphertextException(
          "azure-kv wrapped key holds a "
              + wrappedLength
              + "-byte "
              + algorithm.joseName()
              + " wrapping; that algorithm makes 40 bytes (A256KW) or 256, 384 or 512 (RSA)");
    }
    int sealedLength = in.remaining() - wrappedLength;
    if (sealedLength < MIN_SEALED || sealedLength > MAX_SEALED) {
      throw new MalformedCiphertextException(
          "azure-kv wrapped key is "
              + bytes.length
              + " bytes; with a "
              + wrappedLength
              + "-byte wrapping it must be "
              + (HEADER_LENGTH + wrappedLength + MIN_SEALED)
              + ".."
              + (HEADER_LENGTH + wrappedLength + MAX_SEALED));
    }
    byte[] wrapped = new byte[wrappedLength];
    in.get(wrapped);
    byte[] sealed = Arrays.copyOfRange(bytes, in.position(), bytes.length);
    return new KeyVaultWrappedKey(algorithm, Bytes.hex(version), wrapped, sealed);
  }
}
