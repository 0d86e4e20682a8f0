package dev.taskqueue;

import org.jspecify.annotations.Nullable;

/**
 * A chord that has not completed, as {@link TaskQueueOperations#chords} lists it for operators: open, with how many
 * of its header tasks reported, or failed, with what failed it. Times are epoch milliseconds.
 *
 * @param id the chord id (its header group's id)
 * @param size how many header tasks
 * @param done how many reported
 * @param bodyTaskId the id of the callback's first task (its handle's, for a single task)
 * @param bodyTaskName its task name
 * @param createdAtMillis when it opened
 * @param updatedAtMillis when a member last reported
 * @param failure what failed it, or null while it can complete
 */
public record ChordStatus(String id, int size, int done, String bodyTaskId, String bodyTaskName, long createdAtMillis,
        long updatedAtMillis, @Nullable String failure) {
}
