package dev.pipeline.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class ManifestTest {
  private static final String HEX =
      "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

  @Test
  void plainNamesAreWrittenAsIs() {
    assertThat(Manifest.line(new Manifest.Entry(HEX, "dir/sp ace ünï")))
        .isEqualTo(HEX + "  dir/sp ace ünï\n");
  }

  @Test
  void backslashesNewlinesAndCarriageReturnsAreEscapedLikeSha256sum() {
    assertThat(Manifest.line(new Manifest.Entry(HEX, "a\\b\nc\rd")))
        .isEqualTo("\\" + HEX + "  a\\\\b\\nc\\rd\n");
  }

  @Test
  void checkLinesEscapeANameOnlyWhenItHoldsANewlineLikeSha256sumC() {
    // As coreutils 9.1's sha256sum -c printed these names.
    assertThat(Manifest.displayName("a\nb")).isEqualTo("\\a\\nb");
    assertThat(Manifest.displayName("n\nr\rb\\x")).isEqualTo("\\n\\nr\\rb\\\\x");
    assertThat(Manifest.displayName("a\\b")).isEqualTo("a\\b");
    assertThat(Manifest.displayName("cr\rx")).isEqualTo("cr\rx");
  }

  @Test
  void parseReadsBackWhatLineWritesAndBinaryMode() {
    List<Manifest.Entry> entries =
        List.of(new Manifest.Entry(HEX, "a\\b\nc\rd"), new Manifest.Entry(HEX, "plain name"));
    String text = entries.stream().map(Manifest::line).reduce("", String::concat);
    assertThat(Manifest.parse(text)).isEqualTo(entries);
    assertThat(Manifest.parse(HEX.toUpperCase() + " *bin.dat\n"))
        .containsExactly(new Manifest.Entry(HEX, "bin.dat"));
  }

  @Test
  void malformedLinesAreNamedByNumber() {
    assertThatThrownBy(() -> Manifest.parse(HEX + "  ok\nnot a checksum\n"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("line 2 is not a checksum line (HEX  NAME): not a checksum");
    assertThatThrownBy(() -> Manifest.parse("abc  short\n"))
        .hasMessageStartingWith("line 1 is not a checksum line");
    assertThatThrownBy(() -> Manifest.parse("\\" + HEX + "  bad\\x\n"))
        .hasMessage("line 1 has an unknown escape \\x");
  }

  @Test
  void algorithmIsInferredFromTheDigestLength() {
    assertThat(Manifest.algorithmFor(HEX)).isEqualTo("SHA-256");
    assertThat(Manifest.algorithmFor("0".repeat(32))).isEqualTo("MD5");
    assertThat(Manifest.algorithmFor("0".repeat(128))).isEqualTo("SHA-512");
  }
}
