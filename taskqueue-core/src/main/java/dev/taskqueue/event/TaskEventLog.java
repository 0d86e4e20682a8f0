package dev.taskqueue.event;

import java.util.List;

/**
 * The task events of every instance, kept where any instance reads them (in Redis, the capped stream
 * {@code {prefix}:events}): what operators see of the whole fleet. Instances append to it through a
 * {@link TaskEventPublisher}; this is its reading side.
 */
public interface TaskEventLog {

    /** The latest events, newest first, at most {@code count}. */
    List<TaskEvent> recent(int count);
}
