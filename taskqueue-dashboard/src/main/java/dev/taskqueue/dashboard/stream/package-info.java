/** Live updates of the dashboard's views by server-sent events: at most one a second per view, only on change. */
@NullMarked
package dev.taskqueue.dashboard.stream;

import org.jspecify.annotations.NullMarked;
