/** The {@link dev.taskqueue.TaskClient} implementations: through a broker, or inline for tests. */
@NullMarked
package dev.taskqueue.client;

import org.jspecify.annotations.NullMarked;
