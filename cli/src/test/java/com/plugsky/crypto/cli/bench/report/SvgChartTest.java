package com.plugsky.crypto.cli.bench.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.NodeList;

class SvgChartTest {
  private static Path resource(String name) throws Exception {
    return Path.of(SvgChartTest.class.getResource("/" + name).toURI());
  }

  private static Document parse(String svg) throws Exception {
    return DocumentBuilderFactory.newInstance()
        .newDocumentBuilder()
        .parse(new java.io.ByteArrayInputStream(svg.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
  }

  @Test
  void oneBarPerMeasurementWithItsRatioToTheJdkEngine() throws Exception {
    BenchmarkReport report = BenchmarkReport.load(resource("sample-aes-gcm.json"));

    String svg = SvgChart.render(report, "aesgcm", List.of());

    Document document = parse(svg);
    assertThat(document.getDocumentElement().getTagName()).isEqualTo("svg");
    NodeList bars = document.getElementsByTagName("rect");
    assertThat(bars.getLength()).isEqualTo(1 + 8); // the background, then 8 throughput results
    assertThat(svg)
        .contains("encrypt · buffer=array · 1 KiB")
        .contains(">ours: jdk</text>")
        .contains("1024.0 MB/s  ×1.00")
        .contains("1280.0 MB/s  ×1.25") // accp against jdk
        .contains("×N is the ratio to ours: jdk");
  }

  @Test
  void opensslSpeedIsOneMoreBarForEncryptionOfTheSameSize() throws Exception {
    BenchmarkReport report = BenchmarkReport.load(resource("sample-aes-gcm.json"));
    List<OpensslSpeed.Sample> openssl =
        OpensslSpeed.parse(Files.readAllLines(resource("sample-openssl-speed.txt")));

    String svg = SvgChart.render(report, "aesgcm", openssl);

    assertThat(svg).contains(">openssl speed AES-256-GCM</text>").contains("4096.0 MB/s  ×4.00");
    assertThat(parse(svg).getElementsByTagName("rect").getLength()).isEqualTo(1 + 8 + 1);
  }

  @Test
  void textIsEscaped() {
    assertThat(SvgChart.escape("a<b & \"c\">")).isEqualTo("a&lt;b &amp; &quot;c&quot;&gt;");
  }
}
