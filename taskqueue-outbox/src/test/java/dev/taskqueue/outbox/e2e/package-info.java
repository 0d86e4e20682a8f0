/**
 * The outbox end to end: real applications (Spring contexts, and JVMs of their own that are killed) on H2 and
 * PostgreSQL, a real Redis and real workers, through crashes, two instances, outages and rows that cannot be sent.
 */
@NullMarked
package dev.taskqueue.outbox.e2e;

import org.jspecify.annotations.NullMarked;
