package dev.pipeline.core.runtime;

/** How a worker takes records from its topics. */
public enum ConsumptionModel {
  /**
   * A consumer group on the KIP-848 protocol: each partition has one owner, offsets are committed
   * up to the last fully processed record. Keeps order per partition; workers up to partitions.
   */
  GROUP,
  /**
   * A share group (KIP-932): records are handed out one by one and acknowledged one by one,
   * redelivered when a worker dies. More workers than partitions; no order.
   */
  SHARE
}
