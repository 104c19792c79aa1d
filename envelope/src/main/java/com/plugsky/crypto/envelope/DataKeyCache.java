package com.plugsky.crypto.envelope;

import com.plugsky.crypto.InvalidInputException;
import com.plugsky.crypto.context.EncryptionContext;
import com.plugsky.crypto.primitive.Bytes;
import java.time.Duration;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * Reuses a data key, with its wrappings, for several messages so that encryption need not call the
 * HSM or KMS for each one. Off unless given to {@link Envelope.Builder#dataKeyCache}: by default
 * every message gets a fresh data key (per-request mode).
 *
 * <p>An entry is keyed by the list of KEKs, the encryption context and the frame size, so a key is
 * only reused for messages an identical header could have described. It holds what the format
 * derives from the data key once (docs/FORMAT.md, suite 3) and the header's layout, not the data
 * key itself, so a message under a cached key costs one HMAC (its payload key) and its frames. It
 * is dropped, and its key zeroed, when the oldest entry must make room ({@link
 * Builder#maxEntries}), when it is older than {@link Builder#maxAge}, or before it would protect
 * more than {@link Builder#maxMessagesPerKey} messages or {@link Builder#maxBytesPerKey} plaintext
 * bytes. Reuse never weakens a message's encryption: each message still has its own payload key
 * (from the data key and a fresh message id); what a cache trades is blast radius, since one leaked
 * data key opens every message it served.
 *
 * <p>Only one-shot {@link Envelope#encrypt} uses the cache: a stream's length is not known when its
 * header is written, and the cost of one wrap disappears against a stream anyway.
 *
 * <p>Decryption uses it too: a data key unwrapped from a wrapping (KeyRef, wrapped bytes and
 * context all equal) is kept with its derived secrets, within {@link Builder#maxEntries} and {@link
 * Builder#maxAge}, so that messages sharing a data key cost one unwrap and no key set-up. Each
 * message's header is still authenticated under the cached key. The trade is the same as for
 * encryption: a KEK whose access is revoked keeps opening such messages until their entry ages out.
 *
 * <p>Thread-safe. One cache may serve several {@link Envelope}s, which then share its limits and
 * counters but never a key: each entry belongs to the Envelope that made it, since two Envelopes
 * may resolve the same KeyRef name to different keys (two {@code local:} wrappers over different
 * key directories, say) or derive their secrets differently (a FIPS engine's HMAC), and a key one
 * of them unwrapped must not open messages for the other.
 */
public final class DataKeyCache {
  private final int maxEntries;
  private final long maxAgeNanos;
  private final long maxMessagesPerKey;
  private final long maxBytesPerKey;
  private final LongSupplier nanoTime;

  private final LinkedHashMap<Key, Slot> slots = new LinkedHashMap<>(16, 0.75f, true);
  private final LinkedHashMap<Wrapping, Unwrapped> unwrapped = new LinkedHashMap<>(16, 0.75f, true);
  private long hits;
  private long misses;
  private long wrapsAvoided;
  private long unwrapsAvoided;
  private long evictions;

  private DataKeyCache(Builder builder) {
    this.maxEntries = builder.maxEntries;
    this.maxAgeNanos = builder.maxAge.toNanos();
    this.maxMessagesPerKey = builder.maxMessagesPerKey;
    this.maxBytesPerKey = builder.maxBytesPerKey;
    this.nanoTime = builder.nanoTime;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Counters since the cache was made. */
  public synchronized Stats stats() {
    return new Stats(
        hits, misses, wrapsAvoided, unwrapsAvoided, evictions, slots.size() + unwrapped.size());
  }

  /** Drops every entry and zeroes its key. */
  public synchronized void clear() {
    for (Slot slot : slots.values()) {
      slot.secrets.close();
    }
    for (Unwrapped entry : unwrapped.values()) {
      entry.key.close();
    }
    evictions += slots.size() + unwrapped.size();
    slots.clear();
    unwrapped.clear();
  }

  /**
   * @param hits messages encrypted under a cached data key
   * @param misses messages encrypted under a fresh data key
   * @param wrapsAvoided HSM or KMS wrap calls saved (one per KEK per hit)
   * @param unwrapsAvoided HSM or KMS unwrap calls saved by decryption
   * @param evictions keys dropped and zeroed, for any reason
   * @param entries keys held now, for encryption and decryption
   */
  public record Stats(
      long hits,
      long misses,
      long wrapsAvoided,
      long unwrapsAvoided,
      long evictions,
      int entries) {}

  /**
   * Which messages may share a data key: made by the same {@code owner} (an Envelope, compared by
   * identity), same KEKs in the same order, same context, same frame size (which the shared header
   * layout records).
   */
  record Key(Object owner, List<String> keyRefs, EncryptionContext context, int frameExponent) {
    @Override
    public boolean equals(Object other) {
      return other instanceof Key that
          && owner == that.owner
          && frameExponent == that.frameExponent
          && keyRefs.equals(that.keyRefs)
          && context.equals(that.context);
    }

    @Override
    public int hashCode() {
      return ((System.identityHashCode(owner) * 31 + keyRefs.hashCode()) * 31 + context.hashCode())
              * 31
          + frameExponent;
    }
  }

  /**
   * One wrapping of a data key as one {@code owner} (an Envelope, compared by identity) unwrapped
   * it, compared by content otherwise; holds {@code wrapped} as given (a header entry's own bytes,
   * which neither changes).
   */
  record Wrapping(Object owner, String keyRef, byte[] wrapped, EncryptionContext context) {
    @Override
    public boolean equals(Object other) {
      return other instanceof Wrapping that
          && owner == that.owner
          && keyRef.equals(that.keyRef)
          && Arrays.equals(wrapped, that.wrapped)
          && context.equals(that.context);
    }

    @Override
    public int hashCode() {
      return ((System.identityHashCode(owner) * 31 + keyRef.hashCode()) * 31
                  + Arrays.hashCode(wrapped))
              * 31
          + context.hashCode();
    }
  }

  /**
   * What a data key gives its messages: its derived secrets, a reference the caller closes, and the
   * header layout of its wrappings.
   */
  record Materials(DataKeySecrets secrets, Header.Layout layout) {}

  /**
   * The cached key for {@code key}, counted as one more message of {@code bytes} plaintext bytes,
   * or null when there is none within the limits. The caller closes the returned secrets.
   */
  synchronized Materials acquire(Key key, long bytes) {
    Slot slot = slots.get(key);
    if (slot != null && !slot.allows(nanoTime.getAsLong(), bytes)) {
      evict(key, slot);
      slot = null;
    }
    if (slot == null) {
      misses++;
      return null;
    }
    slot.messages++;
    slot.bytes += bytes;
    hits++;
    wrapsAvoided += slot.layout.entries().size();
    return new Materials(slot.secrets.retain(), slot.layout);
  }

  /**
   * Caches a fresh key that has just served one message of {@code bytes} bytes. Takes ownership of
   * a reference to {@code secrets}, closed when evicted, or at once when they may not serve another
   * message; the keys are zeroed once no message in flight holds them either.
   */
  synchronized void offer(Key key, DataKeySecrets secrets, Header.Layout layout, long bytes) {
    Slot fresh = new Slot(secrets, layout, nanoTime.getAsLong(), bytes);
    if (!fresh.allows(fresh.createdNanos, 0)) {
      secrets.close();
      return;
    }
    Slot previous = slots.put(key, fresh);
    if (previous != null) {
      previous.secrets.close();
      evictions++;
    }
    Iterator<Map.Entry<Key, Slot>> eldest = slots.entrySet().iterator();
    while (slots.size() > maxEntries) {
      Slot old = eldest.next().getValue();
      eldest.remove();
      old.secrets.close();
      evictions++;
    }
  }

  /**
   * A data key and its derived secrets (a reference to them), as one owner holds them; closing
   * zeroes the data key and releases the secrets.
   */
  record UnwrappedKey(byte[] dataKey, DataKeySecrets secrets) implements AutoCloseable {
    /** A copy of the data key and one more reference to the secrets, for another owner. */
    UnwrappedKey share() {
      return new UnwrappedKey(dataKey.clone(), secrets.retain());
    }

    @Override
    public void close() {
      Bytes.zero(dataKey);
      secrets.close();
    }
  }

  /**
   * What {@code wrapping} was unwrapped to before, shared with the caller, who closes it; or null.
   * The data key itself is copied only when the caller needs it: when {@code keepDataKey}, or when
   * the secrets are not of {@code suite} (the caller then derives from the data key); otherwise the
   * shared key's data key is empty.
   */
  synchronized UnwrappedKey unwrapped(Wrapping wrapping, int suite, boolean keepDataKey) {
    Unwrapped entry = unwrapped.get(wrapping);
    if (entry == null) {
      return null;
    }
    if (nanoTime.getAsLong() - entry.createdNanos >= maxAgeNanos) {
      unwrapped.remove(wrapping);
      entry.key.close();
      evictions++;
      return null;
    }
    unwrapsAvoided++;
    if (keepDataKey || entry.key.secrets().suite() != suite) {
      return entry.key.share();
    }
    return new UnwrappedKey(NO_DATA_KEY, entry.key.secrets().retain());
  }

  /**
   * The data key of a shared key, or of an opened message, that need not carry one: empty, so
   * zeroing it is a no-op.
   */
  static final byte[] NO_DATA_KEY = new byte[0];

  /**
   * Remembers what {@code wrapping} unwrapped to, once the header it came with authenticated. Takes
   * ownership of {@code key}.
   */
  synchronized void offerUnwrapped(Wrapping wrapping, UnwrappedKey key) {
    Unwrapped previous = unwrapped.put(wrapping, new Unwrapped(key, nanoTime.getAsLong()));
    if (previous != null) {
      previous.key.close();
      evictions++;
    }
    Iterator<Unwrapped> eldest = unwrapped.values().iterator();
    while (unwrapped.size() > maxEntries) {
      eldest.next().key.close();
      eldest.remove();
      evictions++;
    }
  }

  private record Unwrapped(UnwrappedKey key, long createdNanos) {}

  private void evict(Key key, Slot slot) {
    slots.remove(key);
    slot.secrets.close();
    evictions++;
  }

  private final class Slot {
    final DataKeySecrets secrets;
    final Header.Layout layout;
    final long createdNanos;
    long messages = 1;
    long bytes;

    Slot(DataKeySecrets secrets, Header.Layout layout, long createdNanos, long bytes) {
      this.secrets = secrets;
      this.layout = layout;
      this.createdNanos = createdNanos;
      this.bytes = bytes;
    }

    /** Whether one more message of {@code moreBytes} bytes stays within every limit. */
    boolean allows(long now, long moreBytes) {
      return now - createdNanos < maxAgeNanos
          && messages < maxMessagesPerKey
          && bytes + moreBytes <= maxBytesPerKey;
    }
  }

  /** Limits of a {@link DataKeyCache}; every one has a conservative default. */
  public static final class Builder {
    private int maxEntries = 100;
    private Duration maxAge = Duration.ofMinutes(5);
    private long maxMessagesPerKey = 1L << 20;
    private long maxBytesPerKey = 1L << 32;
    private LongSupplier nanoTime = System::nanoTime;

    private Builder() {}

    /**
     * Most data keys held at once for encryption, and as many for decryption (default 100); the
     * least recently used goes first.
     */
    public Builder maxEntries(int maxEntries) {
      if (maxEntries < 1) {
        throw new InvalidInputException("maxEntries must be at least 1, got " + maxEntries);
      }
      this.maxEntries = maxEntries;
      return this;
    }

    /** How long a data key may be used after it was made (default 5 minutes). */
    public Builder maxAge(Duration maxAge) {
      Objects.requireNonNull(maxAge, "maxAge");
      if (maxAge.isNegative() || maxAge.isZero()) {
        throw new InvalidInputException("maxAge must be positive, got " + maxAge);
      }
      this.maxAge = maxAge;
      return this;
    }

    /** Most messages one data key protects (default 2^20). */
    public Builder maxMessagesPerKey(long maxMessagesPerKey) {
      if (maxMessagesPerKey < 1) {
        throw new InvalidInputException(
            "maxMessagesPerKey must be at least 1, got " + maxMessagesPerKey);
      }
      this.maxMessagesPerKey = maxMessagesPerKey;
      return this;
    }

    /** Most plaintext bytes one data key protects over all its messages (default 4 GiB). */
    public Builder maxBytesPerKey(long maxBytesPerKey) {
      if (maxBytesPerKey < 1) {
        throw new InvalidInputException("maxBytesPerKey must be at least 1, got " + maxBytesPerKey);
      }
      this.maxBytesPerKey = maxBytesPerKey;
      return this;
    }

    /** The clock for {@link #maxAge}; tests replace it. */
    Builder nanoTime(LongSupplier nanoTime) {
      this.nanoTime = Objects.requireNonNull(nanoTime, "nanoTime");
      return this;
    }

    public DataKeyCache build() {
      return new DataKeyCache(this);
    }
  }
}
