package com.plugsky.crypto.envelope;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.plugsky.crypto.InvalidInputException;
import com.plugsky.crypto.MalformedCiphertextException;
import com.plugsky.crypto.engine.Engines;
import org.junit.jupiter.api.Test;

/** The frame rules of docs/FORMAT.md that no message small enough for a test can reach. */
class FrameCipherTest {
  private static final int FRAME_SIZE = 1 << 16;
  private static final long LAST_INDEX = Format.MAX_FRAMES - 1;

  @Test
  void aReaderRefusesAMessageOfMoreThan2To32Frames() {
    assertThat(FrameCipher.frameLength(FRAME_SIZE | Format.FINAL_FLAG, LAST_INDEX, FRAME_SIZE))
        .isEqualTo(FRAME_SIZE);
    assertThat(FrameCipher.frameLength(FRAME_SIZE, LAST_INDEX - 1, FRAME_SIZE))
        .isEqualTo(FRAME_SIZE);
    assertThatThrownBy(() -> FrameCipher.frameLength(FRAME_SIZE, LAST_INDEX, FRAME_SIZE))
        .isInstanceOf(MalformedCiphertextException.class)
        .hasMessageContaining("more than 2^32 frames");
  }

  @Test
  void aWriterRefusesTheFrameAfterThe2To32nd() {
    byte[] payloadKey = new byte[32];
    byte[] header = new byte[Format.MESSAGE_ID_OFFSET + Format.MESSAGE_ID_LENGTH];
    try (FrameCipher cipher =
        FrameCipher.of(
            Engines.defaultEngine(), payloadKey, Format.SUITE_2, header, header.length)) {
      byte[] out = new byte[64];
      assertThat(cipher.seal(LAST_INDEX, true, new byte[8], 0, 8, out, 0)).isEqualTo(28);
      assertThatThrownBy(() -> cipher.seal(LAST_INDEX, false, new byte[8], 0, 8, out, 0))
          .isInstanceOf(InvalidInputException.class)
          .hasMessageContaining("at most 2^32 frames");
      assertThatThrownBy(() -> cipher.seal(Format.MAX_FRAMES, true, new byte[8], 0, 8, out, 0))
          .isInstanceOf(InvalidInputException.class);
    }
  }

  @Test
  void anEmptyFinalFrameIsAllowedOnlyAsTheWholeBody() {
    assertThat(FrameCipher.frameLength(Format.FINAL_FLAG, 0, FRAME_SIZE)).isZero();
    assertThatThrownBy(() -> FrameCipher.frameLength(Format.FINAL_FLAG, 1, FRAME_SIZE))
        .isInstanceOf(MalformedCiphertextException.class)
        .hasMessageContaining("empty final frame after a full one");
  }

  @Test
  void aFrameOtherThanTheLastMustBeFull() {
    assertThatThrownBy(() -> FrameCipher.frameLength(FRAME_SIZE - 1, 3, FRAME_SIZE))
        .isInstanceOf(MalformedCiphertextException.class)
        .hasMessageContaining("is not final but holds");
    assertThat(FrameCipher.frameLength((FRAME_SIZE - 1) | Format.FINAL_FLAG, 3, FRAME_SIZE))
        .isEqualTo(FRAME_SIZE - 1);
  }
}
