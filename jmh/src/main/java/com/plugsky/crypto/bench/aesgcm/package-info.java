/**
 * The {@code aes-gcm} benchmark family: AES-256-GCM encrypt and decrypt of one message per
 * operation, on one thread, at 64 B, 1 KiB, 16 KiB and 1 MiB, from {@code byte[]} and from direct
 * {@code ByteBuffer}s.
 *
 * <p>{@link com.plugsky.crypto.bench.aesgcm.EngineAesGcmBenchmark} measures our engines through
 * our {@link com.plugsky.crypto.aead.Aead}; {@link
 * com.plugsky.crypto.bench.aesgcm.PeerAesGcmBenchmark} measures other libraries doing the same
 * work the way their users would. Both draw a fresh random 96-bit nonce per encryption, bind the
 * same 16-byte associated data, write into preallocated output, and decrypt a ciphertext made at
 * setup. Each checks at setup that what it produces decrypts correctly, so a benchmark never times
 * a broken path.
 *
 * <p>{@link com.plugsky.crypto.bench.aesgcm.FreshKeyBenchmark} ({@code encryptUnderNewKey}, {@code
 * decryptUnderNewKey} rows) sets up a new key for every message, as the envelope format does.
 */
package com.plugsky.crypto.bench.aesgcm;
