/**
 * The worker runtime: the single consume-process loop every service runs. A service supplies a
 * {@link dev.pipeline.core.runtime.JobHandler}; the runtime polls, decodes, validates, hands each
 * job to a bounded pool, retries, dead-letters, commits or acknowledges, applies backpressure and
 * shuts down gracefully.
 */
@NullMarked
package dev.pipeline.core.runtime;

import org.jspecify.annotations.NullMarked;
