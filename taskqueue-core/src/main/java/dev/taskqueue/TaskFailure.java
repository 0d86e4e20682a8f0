package dev.taskqueue;

import org.jspecify.annotations.Nullable;

/**
 * What an error callback ({@link Signature#linkError}) receives as its first argument: the task that failed and
 * why. Declare the callback's first parameter with this type.
 *
 * @param taskId the id of the task that failed
 * @param taskName its name
 * @param errorType the error's class name (for a revoked task, {@code dev.taskqueue.TaskRevokedException})
 * @param errorMessage the error's message
 */
public record TaskFailure(String taskId, String taskName, String errorType, @Nullable String errorMessage) {
}
