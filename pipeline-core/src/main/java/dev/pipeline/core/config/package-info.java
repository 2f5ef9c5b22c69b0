/**
 * Configuration shared by every service: flags, then {@code PIPELINE_*} environment, then defaults.
 */
@NullMarked
package dev.pipeline.core.config;

import org.jspecify.annotations.NullMarked;
