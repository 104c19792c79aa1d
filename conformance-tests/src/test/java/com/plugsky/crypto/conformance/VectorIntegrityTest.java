package com.plugsky.crypto.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The vector files are the unchanged upstream bytes: each one's sha256 equals the one listed in
 * {@code vectors/SOURCES.md}. Catches a git or editor that rewrote CRLF line endings, and any edit.
 */
class VectorIntegrityTest {
  private static final Pattern ROW = Pattern.compile("^\\| `([^`]+)` \\|.*\\| `([0-9a-f]{64})` \\|$", Pattern.MULTILINE);

  @Test
  void everyVectorFileMatchesTheSha256InSourcesMd() throws NoSuchAlgorithmException {
    String sources = new String(VectorFiles.read("SOURCES.md"), StandardCharsets.UTF_8);
    Map<String, String> listed = new LinkedHashMap<>();
    Matcher row = ROW.matcher(sources);
    while (row.find()) {
      listed.put(row.group(1), row.group(2));
    }
    assertThat(listed.keySet())
        .as("files listed with a sha256 in SOURCES.md")
        .containsAll(VectorFiles.ALL.stream().map(VectorFiles.VectorFile::path).toList())
        .contains("wycheproof/LICENSE");

    MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
    Map<String, String> actual = new LinkedHashMap<>();
    listed.keySet().forEach(path -> actual.put(path, HexFormat.of().formatHex(sha256.digest(VectorFiles.read(path)))));
    assertThat(actual).isEqualTo(listed);
  }

  @Test
  void nistFilesKeepTheirCrlfLineEndings() {
    for (VectorFiles.VectorFile file : VectorFiles.ALL) {
      if (file.path().startsWith("nist-cavp/")) {
        String text = new String(VectorFiles.read(file.path()), StandardCharsets.US_ASCII);
        assertThat(text.replace("\r\n", "")).as(file.path()).doesNotContain("\n").doesNotContain("\r");
      }
    }
  }
}
