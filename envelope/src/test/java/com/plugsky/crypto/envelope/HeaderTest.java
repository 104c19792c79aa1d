package com.plugsky.crypto.envelope;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.plugsky.crypto.InvalidInputException;
import com.plugsky.crypto.context.EncryptionContext;
import com.plugsky.crypto.engine.Engines;
import com.plugsky.crypto.primitive.CryptoRandom;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The header parser reads fields where they lie: a context equal to the expected one is that very
 * instance, found by comparing in place; any other is decoded in full; a header read from a stream
 * is the same as one parsed from an array, however long.
 */
class HeaderTest {
  private static final EncryptionContext ORDERS =
      EncryptionContext.of("tenant", "acme", "purpose", "orders");
  private static final byte[] DATA_KEY = new byte[32];

  /**
   * A message with a fresh message id (the JDK refuses to seal twice under one payload key and
   * nonce, which one id under one data key would mean).
   */
  private static byte[] message(int version, EncryptionContext context, int entries) {
    List<Header.Entry> wrapped = new ArrayList<>();
    for (int i = 0; i < entries; i++) {
      byte[] bytes = new byte[40 + i];
      Arrays.fill(bytes, (byte) i);
      wrapped.add(new Header.Entry("local:kek-" + i, bytes));
    }
    return sealed(version, context, wrapped);
  }

  private static byte[] sealed(int version, EncryptionContext context, List<Header.Entry> entries) {
    return Envelope.seal(
        version,
        Engines.named("jdk"),
        16,
        DATA_KEY,
        CryptoRandom.bytes(Format.MESSAGE_ID_LENGTH),
        context,
        entries,
        new byte[10]);
  }

  @ParameterizedTest
  @ValueSource(ints = {Format.VERSION_1, Format.VERSION_2, Format.VERSION_3})
  void anEqualExpectedContextIsReturnedItself(int version) {
    byte[] message = message(version, ORDERS, 1);
    EncryptionContext expected = EncryptionContext.of("tenant", "acme", "purpose", "orders");

    Header header = Header.parse(message, expected);

    assertThat(header.context()).isSameAs(expected);
  }

  static Stream<Arguments> otherContexts() {
    List<EncryptionContext> others =
        List.of(
            EncryptionContext.of("tenant", "acme", "purpose", "invoices"),
            EncryptionContext.of("tenant", "acme", "purpose", "orders2"),
            EncryptionContext.of("tenant", "acme", "purpose", "order"),
            EncryptionContext.of("tenant", "acme", "purposes", "orders"),
            EncryptionContext.of("tenant", "acme"),
            EncryptionContext.of("tenant", "acme", "purpose", "orders", "region", "eu"),
            EncryptionContext.of("purpose", "orders", "tenant", "acme"),
            EncryptionContext.empty());
    List<Arguments> cases = new ArrayList<>();
    for (int version : new int[] {Format.VERSION_1, Format.VERSION_2, Format.VERSION_3}) {
      for (EncryptionContext other : others) {
        cases.add(Arguments.of(version, other));
      }
    }
    return cases.stream();
  }

  @ParameterizedTest
  @MethodSource("otherContexts")
  void anotherExpectedContextGivesTheMessagesOwnContextDecoded(
      int version, EncryptionContext expected) {
    byte[] message = message(version, ORDERS, 1);

    Header header = Header.parse(message, expected);

    assertThat(header.context()).isEqualTo(ORDERS).isNotSameAs(expected);
    assertThat(header.context().encoded()).isEqualTo(ORDERS.encoded());
  }

  @ParameterizedTest
  @MethodSource("otherContexts")
  void aMessagesContextIsDecodedWhateverIsExpected(int version, EncryptionContext context) {
    byte[] message = message(version, context, 1);

    assertThat(Header.parse(message, ORDERS).context()).isEqualTo(context);
    assertThat(Header.parse(message).context()).isEqualTo(context);
  }

  /** Sixteen entries and a large context: a header well past the stream reader's first buffer. */
  @ParameterizedTest
  @ValueSource(ints = {Format.VERSION_1, Format.VERSION_2, Format.VERSION_3})
  void aHeaderReadFromAStreamIsTheOneParsedFromTheArray(int version) throws IOException {
    EncryptionContext large = EncryptionContext.of("tenant", "a".repeat(2000), "purpose", "orders");
    byte[] message = message(version, large, 16);
    Header parsed = Header.parse(message);
    InputStream in = new ByteArrayInputStream(message);

    Header read = Header.read(in);

    assertThat(read.length()).isEqualTo(parsed.length()).isGreaterThan(2000);
    assertThat(read.bytes())
        .isEqualTo(parsed.bytes())
        .isEqualTo(Arrays.copyOf(message, parsed.length()));
    assertThat(read.context()).isEqualTo(large);
    assertThat(read.messageId())
        .isEqualTo(parsed.messageId())
        .isEqualTo(Arrays.copyOfRange(message, Format.MESSAGE_ID_OFFSET, Format.MESSAGE_ID_OFFSET + 32));
    assertThat(read.entries()).hasSize(16);
    for (int i = 0; i < 16; i++) {
      assertThat(read.entries().get(i).keyRef()).isEqualTo(parsed.entries().get(i).keyRef());
      assertThat(read.entries().get(i).wrapped()).isEqualTo(parsed.entries().get(i).wrapped());
    }
    assertThat(in.readAllBytes())
        .as("the stream is left at the first frame")
        .isEqualTo(Arrays.copyOfRange(message, parsed.length(), message.length));
  }

  @ParameterizedTest
  @ValueSource(ints = {Format.VERSION_1, Format.VERSION_2, Format.VERSION_3})
  void aParsedHeaderGivesCopiesNotTheMessage(int version) {
    byte[] message = message(version, ORDERS, 2);
    Header header = Header.parse(message, ORDERS);

    header.bytes()[0] ^= 1;
    header.messageId()[0] ^= 1;
    header.entries().getFirst().wrapped()[0] ^= 1;

    assertThat(Header.parse(message, ORDERS).bytes()).isEqualTo(header.bytes());
    assertThat(header.bytes()[0]).isEqualTo(Format.MAGIC[0]);
    assertThat(header.messageId())
        .isEqualTo(Arrays.copyOfRange(message, Format.MESSAGE_ID_OFFSET, Format.MESSAGE_ID_OFFSET + 32));
    assertThat(header.entries().getFirst().wrapped()[0]).isZero();
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "local:kék", "local:a b", "local:tab\there"})
  void aKeyRefNoReaderAcceptsIsRefusedWhenWriting(String keyRef) {
    List<Header.Entry> entries = List.of(new Header.Entry(keyRef, new byte[40]));

    assertThatThrownBy(() -> Header.Layout.of(Format.VERSION_3, 16, ORDERS, entries))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("printable ASCII");
  }

  /** Writing a KeyRef lets the next header skip checking that same string, and only that one. */
  @ParameterizedTest
  @ValueSource(strings = {"local:kék", "local:a b", "local:kek-1 "})
  void aKeyRefIsCheckedAfterAnotherWasWritten(String refused) {
    sealed(Format.VERSION_3, ORDERS, List.of(new Header.Entry("local:kek-1", new byte[40])));

    assertThatThrownBy(
            () ->
                Header.Layout.of(
                    Format.VERSION_3, 16, ORDERS, List.of(new Header.Entry(refused, new byte[40]))))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("printable ASCII");
  }

  /**
   * Headers written and read under contexts taken in turn (the same objects again, and equal ones)
   * each hold and give back their own context: the encoding kept from the context used last
   * serves only that very object.
   */
  @Test
  void contextsTakenInTurnEachGetTheirOwnEncoding() {
    EncryptionContext acme = EncryptionContext.of("tenant", "acme");
    EncryptionContext globex = EncryptionContext.of("tenant", "globex");
    for (int round = 0; round < 2; round++) {
      for (EncryptionContext context : List.of(acme, globex, ORDERS, acme)) {
        byte[] message = message(Format.VERSION_3, context, 1);

        assertThat(Header.parse(message).context()).isEqualTo(context);
        assertThat(Header.parse(message, context).context()).isSameAs(context);
        assertThat(Header.parse(message, globex == context ? acme : globex).context())
            .isEqualTo(context);
        assertThat(Compact.encodingOf(context)).isEqualTo(context.encoded());
      }
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {Format.VERSION_1, Format.VERSION_2, Format.VERSION_3})
  void theLongestKeyRefAHeaderHoldsIsWrittenAndReadBack(int version) {
    String longest = "x-vendor:" + "k".repeat(Format.MAX_KEY_REF_LENGTH - "x-vendor:".length());
    byte[] message = sealed(version, ORDERS, List.of(new Header.Entry(longest, new byte[40])));

    assertThat(Header.parse(message).entries().getFirst().keyRef()).isEqualTo(longest);
    assertThatThrownBy(
            () ->
                Header.Layout.of(
                    version, 16, ORDERS, List.of(new Header.Entry(longest + "k", new byte[40]))))
        .isInstanceOf(InvalidInputException.class);
  }

  /**
   * The reader remembers the last KeyRef it decoded: the same bytes under another scheme code read
   * as that scheme's.
   */
  @ParameterizedTest
  @ValueSource(ints = {Format.VERSION_2, Format.VERSION_3})
  void keyRefsWithTheSameBytesUnderOtherSchemesReadApart(int version) {
    List<String> keyRefs = List.of("local:kek-1", "pkcs11:kek-1", "local:kek-1", "x-other:kek-1");
    for (int round = 0; round < 2; round++) {
      for (String keyRef : keyRefs) {
        byte[] message = sealed(version, ORDERS, List.of(new Header.Entry(keyRef, new byte[40])));

        assertThat(Header.parse(message, ORDERS).entries().getFirst().keyRef()).isEqualTo(keyRef);
      }
    }
  }
}
