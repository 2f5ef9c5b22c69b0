package dev.pipeline.core.runtime;

/** What kind of threads do the jobs. */
public enum PoolKind {
  /**
   * Virtual threads for work that waits on I/O: hundreds of jobs in flight, bounded by a semaphore.
   */
  VIRTUAL,
  /** Platform threads, one per core by default, for work that computes. */
  CPU
}
