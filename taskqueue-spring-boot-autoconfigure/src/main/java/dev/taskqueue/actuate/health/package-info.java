/** The {@code taskqueue} health indicator. */
@NullMarked
package dev.taskqueue.actuate.health;

import org.jspecify.annotations.NullMarked;
