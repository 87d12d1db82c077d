/** Waiting, injected: one {@link io.echodb.core.time.Sleeper} for the use cases and the engine. */
package io.echodb.core.time;
