package dev.pipeline.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServiceJvmCacheTest {
  @TempDir Path cds;

  @Test
  void namesTheServicesWhoseCacheIsBeingAssembled() throws Exception {
    Files.createFile(cds.resolve("hasher-worker.aot.assembling"));
    Files.createFile(cds.resolve("consumer-service.aot.assembling"));
    Files.createFile(cds.resolve("crawler-service.aot")); // a finished cache
    Files.createFile(cds.resolve("producer-service.1-1796291984893.aot.conf")); // a recording
    assertThat(ServiceJvmCache.assembling(cds))
        .containsExactly("consumer-service", "hasher-worker");
  }

  @Test
  void leavesOutAMarkerAnAssemblyThatDiedLeftBehind() throws Exception {
    Path dead = Files.createFile(cds.resolve("hasher-worker.aot.assembling"));
    Files.setLastModifiedTime(dead, FileTime.from(Instant.now().minus(Duration.ofMinutes(6))));
    assertThat(ServiceJvmCache.assembling(cds)).isEmpty();
  }

  @Test
  void namesNoneWhereNothingWasCachedYet() {
    assertThat(ServiceJvmCache.assembling(cds.resolve("not-made-yet"))).isEmpty();
  }
}
