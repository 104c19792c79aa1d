package com.plugsky.crypto.envelope;

import com.plugsky.crypto.context.EncryptionContext;
import com.plugsky.crypto.keyref.KeyRef;
import java.nio.charset.StandardCharsets;

/** The constants and limits of message format version 1, suite 1 (docs/FORMAT.md). */
final class Format {
  static final byte[] MAGIC = {'P', 'S', 'E'};
  static final int VERSION = 1;
  static final int SUITE = 1;

  static final int MIN_FRAME_EXPONENT = 4;
  static final int MAX_FRAME_EXPONENT = 24;
  static final int DEFAULT_FRAME_SIZE = 1 << 16;

  static final int MESSAGE_ID_LENGTH = 32;
  static final int DATA_KEY_LENGTH = 32;
  static final int HEADER_TAG_LENGTH = 32;

  /** Magic, version, suite, frame size exponent, message id, context length. */
  static final int FIXED_PREFIX_LENGTH = 3 + 1 + 1 + 1 + MESSAGE_ID_LENGTH + 2;

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

  static final byte[] KEY_SCHEDULE_INFO = keyScheduleInfo();

  private Format() {}

  private static byte[] keyScheduleInfo() {
    byte[] label = "plugsky envelope".getBytes(StandardCharsets.US_ASCII);
    byte[] info = new byte[label.length + 2];
    System.arraycopy(label, 0, info, 0, label.length);
    info[label.length] = VERSION;
    info[label.length + 1] = SUITE;
    return info;
  }

  static boolean isPowerOfTwoFrameSize(int frameSize) {
    return Integer.bitCount(frameSize) == 1
        && frameSize >= 1 << MIN_FRAME_EXPONENT
        && frameSize <= 1 << MAX_FRAME_EXPONENT;
  }
}
