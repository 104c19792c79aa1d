package com.plugsky.crypto.conformance.vectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class WycheproofFileTest {

  @Test
  void readsDeclaredCountGroupsAndTests() {
    WycheproofFile file = parse("""
        {"algorithm": "HMACSHA256", "numberOfTests": 3, "testGroups": [
          {"keySize": 256, "tagSize": 128, "tests": [
            {"tcId": 1, "comment": "c1", "flags": ["Pseudorandom"], "key": "00ff", "msg": "", "tag": "01", "result": "valid"},
            {"tcId": 2, "comment": "", "flags": [], "key": "", "msg": "", "tag": "", "result": "acceptable"}]}]}
        """);

    assertThat(file.algorithm()).isEqualTo("HMACSHA256");
    assertThat(file.declaredCount()).isEqualTo(3);
    assertThat(file.cases()).hasSize(2);
    WycheproofFile.Case first = file.cases().getFirst();
    assertThat(first.result()).isEqualTo(WycheproofFile.Result.VALID);
    assertThat(first.groupInt("tagSize")).isEqualTo(128);
    assertThat(first.bytes("key")).containsExactly(0x00, 0xff);
    assertThat(first.bytes("msg")).isEmpty();
    assertThat(first.id()).isEqualTo("tcId 1 (c1) [Pseudorandom]");
    assertThat(file.cases().get(1).result()).isEqualTo(WycheproofFile.Result.ACCEPTABLE);
  }

  @Test
  void rejectsRepeatedIdsUnknownResultsAndMissingFields() {
    assertThatThrownBy(() -> parse("""
        {"numberOfTests": 2, "testGroups": [{"tests": [{"tcId": 1, "result": "valid"}, {"tcId": 1, "result": "valid"}]}]}
        """)).hasMessageContaining("repeated tcId 1");
    assertThatThrownBy(() -> parse("""
        {"numberOfTests": 1, "testGroups": [{"tests": [{"tcId": 1, "result": "maybe"}]}]}
        """)).hasMessageContaining("unknown result 'maybe'");
    assertThatThrownBy(() -> parse("{\"testGroups\": []}")).hasMessageContaining("numberOfTests");
  }

  private static WycheproofFile parse(String json) {
    return WycheproofFile.parse("test.json", json.getBytes(StandardCharsets.UTF_8));
  }
}
