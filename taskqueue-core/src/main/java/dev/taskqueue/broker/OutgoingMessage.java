package dev.taskqueue.broker;

import dev.taskqueue.Unique;
import org.jspecify.annotations.Nullable;

/**
 * A message ready for the broker: its id, where it goes, when it may run, and its encoded body.
 *
 * @param id the task id
 * @param taskName the task name (stored with the task's record)
 * @param queue the queue
 * @param priority 0 to 9
 * @param body the encoded message
 * @param delayMillis run no sooner than this many milliseconds after Redis receives it (0: now); measured on the
 *        broker's clock so that application clocks do not need to agree
 * @param dueAtMillis run no sooner than this epoch millisecond, or null (wins over {@code delayMillis})
 * @param deduplicate whether the id was chosen by the caller: a second message with the same id is dropped
 * @param recordTtlMillis how long the task's record lives (result TTL)
 * @param unique how this message collapses with others of the same key, or null
 * @param parentId in a workflow, the task whose end submitted this one (kept in its record), else null
 */
public record OutgoingMessage(String id, String taskName, String queue, int priority, byte[] body, long delayMillis,
        @Nullable Long dueAtMillis, boolean deduplicate, long recordTtlMillis, @Nullable UniqueClaim unique,
        @Nullable String parentId) {

    /**
     * A uniqueness key to claim at submit.
     *
     * @param key the key, already computed from the arguments and prefixed with the task name
     * @param mode how duplicates are treated
     * @param windowMillis the window (see {@link Unique#window()}); for UNTIL_FINISHED, how long the key is kept
     *        at most if the task never finishes
     */
    public record UniqueClaim(String key, Unique.Mode mode, long windowMillis) {
    }
}
