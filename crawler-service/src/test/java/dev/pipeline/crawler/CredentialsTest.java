package dev.pipeline.crawler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CredentialsTest {
  @TempDir Path dir;

  @Test
  void pairsEnvironmentVariablesAndAnOwnerOnlyFileByName() throws Exception {
    Path file = dir.resolve("secrets");
    Files.writeString(
        file,
        "intranet.username=bob\nintranet.password=from-file\nshop.password=p2\nshop.username=u2\n");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    Credentials credentials =
        Credentials.load(
            Map.of(
                "PIPELINE_CREDENTIAL_SHOP_USERNAME", "ada",
                "PIPELINE_CREDENTIAL_SHOP_PASSWORD", "from-env",
                "PATH", "/usr/bin"),
            file);
    assertThat(credentials.get("intranet"))
        .isEqualTo(new Credentials.Credential("bob", "from-file"));
    assertThat(credentials.get("SHOP"))
        .isEqualTo(new Credentials.Credential("u2", "p2")); // the file wins
    assertThat(credentials.get("other")).isNull();
    assertThat(credentials.get("shop").toString()).doesNotContain("p2").contains("hidden");
  }

  @Test
  void refusesAFileOthersMayReadAndAHalfCredential() throws Exception {
    Path file = dir.resolve("secrets");
    Files.writeString(file, "shop.username=ada\nshop.password=x\n");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
    assertThatThrownBy(() -> Credentials.load(Map.of(), file))
        .hasMessageContaining("may be read or written by others (rw-r--r--)")
        .hasMessageContaining("chmod 600 " + file);
    assertThatThrownBy(
            () -> Credentials.load(Map.of("PIPELINE_CREDENTIAL_SHOP_USERNAME", "ada"), null))
        .hasMessageContaining("credential SHOP has no password");
    assertThatThrownBy(
            () -> Credentials.load(Map.of("PIPELINE_CREDENTIAL_SHOP_PASS", "secret"), null))
        .hasMessageContaining("should end in _username or _password")
        .hasMessageNotContaining("secret");
  }

  @Test
  void destructiveLinksAreRecognisedAsWordsInTheUrl() {
    for (String url :
        new String[] {
          "https://h/logout",
          "https://h/account/log-out?next=/",
          "https://h/users/sign_out",
          "https://h/items/7/delete",
          "https://h/a?action=remove&id=3",
          "https://h/list/unsubscribe",
          "https://h/tokens/REVOKE"
        }) {
      assertThat(Crawl.DESTRUCTIVE.matcher(url).find()).as(url).isTrue();
    }
    for (String url :
        new String[] {
          "https://h/",
          "https://h/deleted-scenes",
          "https://h/blog/removal-men",
          "https://h/catalogue"
        }) {
      assertThat(Crawl.DESTRUCTIVE.matcher(url).find()).as(url).isFalse();
    }
  }
}
