package dev.taskqueue;

import java.time.Instant;

import org.jspecify.annotations.Nullable;

/**
 * A task in a queue's dead letters, as {@link TaskQueueOperations} reads it: why it is there, its error, and its
 * message, to requeue or delete it.
 *
 * @param id the dead letter's id (to requeue or delete it)
 * @param taskId the task's id
 * @param taskName the task's name, when known
 * @param queue the queue
 * @param reason why it is here
 * @param errorType the error's type
 * @param errorMessage the error's message
 * @param stackTrace the error's stack trace
 * @param attempt the attempt that failed
 * @param deliveries how many times its last attempt was delivered to a worker, the delivery that put it here
 *        included (more than one: workers died or hung holding it before)
 * @param failedAt when it got here
 * @param worker the worker it failed on
 * @param message the task's message (JSON), as stored, or as much of it as the read kept (a page cuts
 *        each text of a letter): then it ends with a marker that says its size
 * @param messageSize the size of the message as stored, in bytes
 */
public record DeadLetter(String id, String taskId, @Nullable String taskName, String queue, String reason,
        @Nullable String errorType, @Nullable String errorMessage, @Nullable String stackTrace, int attempt,
        int deliveries, Instant failedAt, @Nullable String worker, String message, int messageSize) {
}
