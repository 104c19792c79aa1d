package com.plugsky.crypto.kms.region;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.plugsky.crypto.ConfigurationException;
import com.plugsky.crypto.context.EncryptionContext;
import com.plugsky.crypto.envelope.Envelope;
import com.plugsky.crypto.envelope.EnvelopeHeader;
import com.plugsky.crypto.keyref.KeyRef;
import com.plugsky.crypto.keywrap.local.LocalKeyWrapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RegionRoutingTest {
  private static final KeyRef EU = KeyRef.parse("local:eu");
  private static final KeyRef US = KeyRef.parse("local:us");
  private static final KeyRef AP = KeyRef.parse("local:ap");
  private static final EncryptionContext CONTEXT = EncryptionContext.of("tenant", "acme");
  private static final byte[] PLAINTEXT = "order 42".getBytes(StandardCharsets.UTF_8);

  @TempDir Path keys;

  private Envelope envelope(RegionRouting routing) {
    return routing
        .applyTo(Envelope.builder())
        .keyWrapper(LocalKeyWrapper.builder().keyDirectory(keys).build())
        .build();
  }

  @Test
  void encryptsUnderTheLocalKeyOnlyByDefaultAndDecryptsLocalFirst() {
    RegionRouting routing =
        RegionRouting.builder("us").region("eu", EU).region("us", US).region("ap", AP).build();

    assertThat(routing.encryptionKeys()).containsExactly(US);
    assertThat(routing.decryptionOrder()).containsExactly(US, EU, AP);
    byte[] message = envelope(routing).encrypt(PLAINTEXT, CONTEXT);
    assertThat(Envelope.inspect(message).wrappedKeys())
        .extracting(EnvelopeHeader.WrappedKeyInfo::keyRef)
        .containsExactly(US.toString());
  }

  @Test
  void encryptsUnderEveryRegionWhenAskedAndEachRegionOpensWithItsOwnKey() {
    RegionRouting.Builder eu = RegionRouting.builder("eu").region("eu", EU).region("us", US);
    RegionRouting.Builder us = RegionRouting.builder("us").region("eu", EU).region("us", US);

    byte[] message = envelope(eu.encryptUnderAllRegions(true).build()).encrypt(PLAINTEXT, CONTEXT);

    assertThat(Envelope.inspect(message).wrappedKeys()).hasSize(2);
    assertThat(envelope(us.build()).decryptWithDetails(message, CONTEXT).openedBy()).isEqualTo(US);
    assertThat(envelope(eu.build()).decryptWithDetails(message, CONTEXT).openedBy()).isEqualTo(EU);
  }

  @Test
  void aMessageFromAnotherRegionOpensThroughThatRegionsKey() {
    byte[] fromEu =
        envelope(RegionRouting.builder("eu").region("eu", EU).region("us", US).build())
            .encrypt(PLAINTEXT, CONTEXT);

    var opened =
        envelope(RegionRouting.builder("us").region("us", US).region("eu", EU).build())
            .decryptWithDetails(fromEu, CONTEXT);

    assertThat(opened.plaintext()).isEqualTo(PLAINTEXT);
    assertThat(opened.openedBy()).isEqualTo(EU);
  }

  @Test
  void readsProperties() {
    Properties properties = new Properties();
    properties.setProperty("local-region", "us");
    properties.setProperty("encrypt-under", "all");
    properties.setProperty("region.us", "local:us");
    properties.setProperty("region.eu", "local:eu");
    properties.setProperty("region.ap", "local:ap");

    RegionRouting routing = RegionRouting.fromProperties(properties);

    assertThat(routing.localKey()).isEqualTo(US);
    assertThat(routing.encryptionKeys()).containsExactly(US, AP, EU);
  }

  @Test
  void refusesIncompleteOrAmbiguousConfiguration() {
    assertThatThrownBy(() -> RegionRouting.builder("us").region("eu", EU).build())
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("local region us has no key");
    assertThatThrownBy(() -> RegionRouting.builder("us").region("us", US).region("eu", US))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("serves both");
    assertThatThrownBy(() -> RegionRouting.builder("us").region("us", US).region("us", EU))
        .isInstanceOf(ConfigurationException.class);
    assertThatThrownBy(() -> RegionRouting.builder("bad name"))
        .isInstanceOf(ConfigurationException.class);
    Properties unknown = new Properties();
    unknown.setProperty("local-region", "us");
    unknown.setProperty("region.us", "local:us");
    unknown.setProperty("regoin.eu", "local:eu");
    assertThatThrownBy(() -> RegionRouting.fromProperties(unknown))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("regoin.eu");
    Properties badKeyRef = new Properties();
    badKeyRef.setProperty("local-region", "us");
    badKeyRef.setProperty("region.us", "nope:us");
    assertThatThrownBy(() -> RegionRouting.fromProperties(badKeyRef))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("region.us");
  }
}
