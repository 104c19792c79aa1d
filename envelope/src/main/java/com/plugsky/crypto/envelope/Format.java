package com.plugsky.crypto.envelope;

import com.plugsky.crypto.context.EncryptionContext;
import com.plugsky.crypto.keyref.KeyRef;
import java.nio.charset.StandardCharsets;

/** The constants and limits of the message format, versions 1 to 3 (docs/FORMAT.md). */
final class Format {
  static final byte[] MAGIC = {'P', 'S', 'E'};

  /** Version 1 layout, read only: fixed-width length fields. Its only suite is 1. */
  static final int VERSION_1 = 1;

  static final int SUITE_1 = 1;

  /** Version 2 layout, read only: varint lengths, compact context and KeyRefs. Its suite is 2. */
  static final int VERSION_2 = 2;

  static final int SUITE_2 = 2;

  /**
   * Version 3, written: the layout of version 2 whose last field is a key commitment made once per
   * data key and wrapped keys instead of a header tag made per message; the frames authenticate the
   * header up to the context. Its suite is 3.
   */
  static final int VERSION_3 = 3;

  static final int SUITE_3 = 3;

  /** The version new messages are written in. */
  static final int CURRENT_VERSION = VERSION_3;

  static final int MIN_FRAME_EXPONENT = 4;
  static final int MAX_FRAME_EXPONENT = 24;
  static final int DEFAULT_FRAME_SIZE = 1 << 16;

  static final int MESSAGE_ID_LENGTH = 32;
  static final int DATA_KEY_LENGTH = 32;
  /**
   * The header's last field: the header tag in versions 1 and 2, the key commitment in version 3;
   * 32 bytes either way.
   */
  static final int HEADER_TAG_LENGTH = 32;

  /** Magic, version, suite, frame size exponent, message id. */
  static final int FIXED_PREFIX_LENGTH = 3 + 1 + 1 + 1 + MESSAGE_ID_LENGTH;

  /** Where the message id starts. */
  static final int MESSAGE_ID_OFFSET = 6;

  static final int MAX_HEADER_LENGTH = 65_536;
  static final int MIN_CONTEXT_LENGTH = 2;
  static final int MAX_CONTEXT_LENGTH = EncryptionContext.MAX_ENCODED_BYTES;
  static final int MAX_WRAPPED_KEYS = 16;
  static final int MAX_KEY_REF_LENGTH = KeyRef.MAX_LENGTH;
  static final int MAX_WRAPPED_LENGTH = 4096;

  static final int FRAME_WORD_LENGTH = 4;
  static final int GCM_TAG_LENGTH = 16;
  static final int FRAME_OVERHEAD = FRAME_WORD_LENGTH + GCM_TAG_LENGTH;
  static final int FINAL_FLAG = 0x8000_0000;
  static final long MAX_FRAMES = 1L << 32;

  /** Suite 1: the HKDF info of the per-message key schedule. */
  static final byte[] KEY_SCHEDULE_INFO = label("plugsky envelope", VERSION_1, SUITE_1);

  /** Suite 2: the HKDF-Extract salt of the per-data-key PRK. */
  static final byte[] SUITE_2_SALT = "plugsky envelope v2".getBytes(StandardCharsets.US_ASCII);

  /** Suite 2: the HKDF-Expand info of the header key (then the block counter 01). */
  static final byte[] SUITE_2_HEADER_INFO = label("plugsky header", VERSION_2, SUITE_2);

  /** Suite 2: the HKDF-Expand info prefix of a payload key (then the message id, then 01). */
  static final byte[] SUITE_2_PAYLOAD_INFO = label("plugsky payload", VERSION_2, SUITE_2);

  /** Suite 3: the HKDF-Extract salt of the per-data-key PRK. */
  static final byte[] SUITE_3_SALT = "plugsky envelope v3".getBytes(StandardCharsets.US_ASCII);

  /** Suite 3: the HKDF-Expand info of the key commitment (then the block counter 01). */
  static final byte[] SUITE_3_COMMIT_INFO = label("plugsky commit", VERSION_3, SUITE_3);

  /** Suite 3: the HKDF-Expand info prefix of a payload key (then the message id, then 01). */
  static final byte[] SUITE_3_PAYLOAD_INFO = label("plugsky payload", VERSION_3, SUITE_3);

  private Format() {}

  private static byte[] label(String text, int version, int suite) {
    byte[] label = text.getBytes(StandardCharsets.US_ASCII);
    byte[] info = new byte[label.length + 2];
    System.arraycopy(label, 0, info, 0, label.length);
    info[label.length] = (byte) version;
    info[label.length + 1] = (byte) suite;
    return info;
  }

  /** The suite a version's messages use: each version has one, of the same number. */
  static int suiteOf(int version) {
    return switch (version) {
      case VERSION_1 -> SUITE_1;
      case VERSION_2 -> SUITE_2;
      case VERSION_3 -> SUITE_3;
      default -> throw new IllegalArgumentException("no envelope format version " + version);
    };
  }

  static boolean isPowerOfTwoFrameSize(int frameSize) {
    return Integer.bitCount(frameSize) == 1
        && frameSize >= 1 << MIN_FRAME_EXPONENT
        && frameSize <= 1 << MAX_FRAME_EXPONENT;
  }
}
