package dev.pipeline.core.runtime;

/**
 * Fails a job's stage when the handler gives the job back unprocessed because its partition is
 * being taken away (see {@link PartitionListener#revoking}). The record is neither committed nor
 * dead-lettered: the partition's next owner does it.
 */
public final class JobAbandonedException extends Exception {
  private static final long serialVersionUID = 1L;

  public JobAbandonedException(String message) {
    super(message);
  }
}
