/** Network safety shared by services that fetch URLs a job names (hasher, crawler). */
@NullMarked
package dev.pipeline.core.net;

import org.jspecify.annotations.NullMarked;
