/** The outbox's health component. */
@NullMarked
package dev.taskqueue.outbox.health;

import org.jspecify.annotations.NullMarked;
