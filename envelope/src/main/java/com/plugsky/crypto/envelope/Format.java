package com.plugsky.crypto.envelope;

import com.plugsky.crypto.context.EncryptionContext;
import com.plugsky.crypto.keyref.KeyRef;
import java.nio.charset.StandardCharsets;

/** The constants and limits of the message format, versions 1 and 2 (docs/FORMAT.md). */
final class Format {
  static final byte[] MAGIC = {'P', 'S', 'E'};

  /** Version 1 layout, read only: fixed-width length fields. Its only suite is 1. */
  static final int VERSION_1 = 1;

  static final int SUITE_1 = 1;

  /** Version 2 layout, written: varint lengths, compact context and KeyRefs. Its suite is 2. */
  static final int VERSION_2 = 2;

  static final int SUITE_2 = 2;

  /** The version new messages are written in. */
  static final int CURRENT_VERSION = VERSION_2;

  static final int MIN_FRAME_EXPONENT = 4;
  static final int MAX_FRAME_EXPONENT = 24;
  static final int DEFAULT_FRAME_SIZE = 1 << 16;

  static final int MESSAGE_ID_LENGTH = 32;
  static final int DATA_KEY_LENGTH = 32;
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

  private Format() {}

  private static byte[] label(String text, int version, int suite) {
    byte[] label = text.getBytes(StandardCharsets.US_ASCII);
    byte[] info = new byte[label.length + 2];
    System.arraycopy(label, 0, info, 0, label.length);
    info[label.length] = (byte) version;
    info[label.length + 1] = (byte) suite;
    return info;
  }

  /** The suite a version's messages use. */
  static int suiteOf(int version) {
    return version == VERSION_1 ? SUITE_1 : SUITE_2;
  }

  static boolean isPowerOfTwoFrameSize(int frameSize) {
    return Integer.bitCount(frameSize) == 1
        && frameSize >= 1 << MIN_FRAME_EXPONENT
        && frameSize <= 1 << MAX_FRAME_EXPONENT;
  }
}
