/**
 * The read model that the {@code taskqueue} actuator endpoint and the dashboard share: what operators see of the
 * queues, workers, tasks, schedules and history, read from the stores and assembled once, and the actions they take.
 * Nothing here depends on the actuator or on a web framework.
 */
@NullMarked
package dev.taskqueue.actuate.view;

import org.jspecify.annotations.NullMarked;
