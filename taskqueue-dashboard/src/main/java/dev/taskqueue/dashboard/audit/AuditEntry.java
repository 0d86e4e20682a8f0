package dev.taskqueue.dashboard.audit;

import org.jspecify.annotations.Nullable;

/**
 * One action an operator took (or tried to).
 *
 * @param at when, epoch milliseconds
 * @param principal who
 * @param action what, such as {@code TASKQUEUE_QUEUE_PAUSED} (also the audit event's type)
 * @param target on what: a queue, {@code queue/dead-letter id}, {@code queue/task id} or a schedule
 * @param count how many tasks or dead letters it touched
 * @param outcome {@code ok}, {@code denied} (lacking the authority, or read-only), or {@code failed: why}
 */
public record AuditEntry(long at, String principal, String action, String target, long count, String outcome) {

    /** What a successful action reads as. */
    public static final String OK = "ok";

    /** What a refused action reads as. */
    public static final String DENIED = "denied";

    /** What a failed action reads as, with why. */
    public static String failed(@Nullable String why) {
        return "failed: " + (why == null ? "unknown" : why);
    }
}
