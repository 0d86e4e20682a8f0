/** Submissions made inside Spring-managed transactions: sent after the commit, or through the outbox. */
@NullMarked
package dev.taskqueue.autoconfigure.transaction;

import org.jspecify.annotations.NullMarked;
