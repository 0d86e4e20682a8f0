/**
 * The ways the outbox table gets created: its plain script, or a migration of its own through the application's
 * Flyway or Liquibase, with history tables of its own so that its versions never mix with the application's.
 */
@NullMarked
package dev.taskqueue.outbox.schema;

import org.jspecify.annotations.NullMarked;
