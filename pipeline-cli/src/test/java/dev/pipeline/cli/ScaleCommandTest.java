package dev.pipeline.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ScaleCommandTest {
  @Test
  void parsesServiceCounts() {
    assertThat(ScaleCommand.parse(List.of("hasher-worker=2", "crawler-service=0")))
        .containsExactlyInAnyOrderEntriesOf(Map.of(ServiceName.HASHER, 2, ServiceName.CRAWLER, 0));
  }

  @Test
  void refusesBadTargetsWithTheReason() {
    assertThatThrownBy(() -> ScaleCommand.parse(List.of("hasher-worker")))
        .hasMessage("expected SERVICE=N (for example hasher-worker=2), got 'hasher-worker'");
    assertThatThrownBy(() -> ScaleCommand.parse(List.of("=2")))
        .hasMessage("expected SERVICE=N (for example hasher-worker=2), got '=2'");
    assertThatThrownBy(() -> ScaleCommand.parse(List.of("hashers=2")))
        .hasMessageStartingWith("unknown service 'hashers'; expected one of: producer-service");
    assertThatThrownBy(() -> ScaleCommand.parse(List.of("hasher-worker=two")))
        .hasMessage("N must be a whole number in 'hasher-worker=two'");
    assertThatThrownBy(() -> ScaleCommand.parse(List.of("hasher-worker=-1")))
        .hasMessage("N must be 0 or more in 'hasher-worker=-1'");
    assertThatThrownBy(() -> ScaleCommand.parse(List.of("hasher-worker=65")))
        .hasMessage("N is at most 64 processes per service on one machine, got 65");
  }
}
