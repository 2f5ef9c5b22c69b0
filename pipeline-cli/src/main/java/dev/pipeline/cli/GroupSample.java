package dev.pipeline.cli;

/**
 * A consumer or share group at one moment.
 *
 * @param position records the group has done: the sum of its committed offsets (consumer group) or
 *     of its share-partition start offsets (share group)
 * @param lag records waiting, where the broker reports it
 */
record GroupSample(
    String group, String type, String state, int members, long position, long lag, long atNanos) {

  /** Returns records per second between an earlier sample of the same group and this one. */
  double ratePerSecond(GroupSample earlier) {
    double seconds = (atNanos - earlier.atNanos) / 1e9;
    return seconds <= 0 ? 0 : Math.max(0, position - earlier.position) / seconds;
  }
}
