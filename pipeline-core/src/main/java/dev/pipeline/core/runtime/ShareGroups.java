package dev.pipeline.core.runtime;

import dev.pipeline.core.config.KafkaSettings;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.common.config.ConfigResource;

/** Group-level settings of share groups. */
final class ShareGroups {
  private ShareGroups() {}

  /**
   * Makes a new share group start at the earliest offset. Kafka's default is the latest, which
   * would skip every job published before the first worker started.
   */
  static void startFromEarliest(KafkaSettings kafka, String group) {
    try (Admin admin = Admin.create(kafka.clientConfig(Map.of()))) {
      ConfigResource resource = new ConfigResource(ConfigResource.Type.GROUP, group);
      AlterConfigOp earliest =
          new AlterConfigOp(
              new ConfigEntry("share.auto.offset.reset", "earliest"), AlterConfigOp.OpType.SET);
      admin
          .incrementalAlterConfigs(Map.of(resource, List.of(earliest)))
          .all()
          .get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      throw new IllegalStateException(
          "cannot set share.auto.offset.reset=earliest on share group "
              + group
              + ": "
              + e.getMessage(),
          e);
    }
  }
}
