/** Spring Boot auto-configuration of the outbox: its store, relay, schema, metrics and health. */
@NullMarked
package dev.taskqueue.outbox.autoconfigure;

import org.jspecify.annotations.NullMarked;
