package dev.pipeline.core.runtime;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.common.config.ConfigResource;

/** Group-level settings of share groups, set by every worker as it starts. */
final class ShareGroups {
  private ShareGroups() {}

  /**
   * Makes the share group start at the earliest offset (Kafka's default, the latest, would skip
   * every job published before the first worker started), and sets its delivery count limit (the
   * worker's own dead-lettering relies on it) and its lock duration.
   */
  static void configure(WorkerSettings worker) {
    String group = worker.group();
    try (Admin admin = Admin.create(worker.kafka().clientConfig(Map.of()))) {
      ConfigResource resource = new ConfigResource(ConfigResource.Type.GROUP, group);
      List<AlterConfigOp> settings =
          List.of(
              set("share.auto.offset.reset", "earliest"),
              set("share.delivery.count.limit", String.valueOf(worker.maxDeliveries())),
              set(
                  "share.record.lock.duration.ms",
                  String.valueOf(worker.lockDuration().toMillis())));
      admin.incrementalAlterConfigs(Map.of(resource, settings)).all().get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      throw new IllegalStateException(
          "cannot configure share group " + group + ": " + e.getMessage(), e);
    }
  }

  private static AlterConfigOp set(String name, String value) {
    return new AlterConfigOp(new ConfigEntry(name, value), AlterConfigOp.OpType.SET);
  }
}
