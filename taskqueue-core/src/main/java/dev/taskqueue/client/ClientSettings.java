package dev.taskqueue.client;

import java.time.Duration;

import dev.taskqueue.internal.Defaults;
import dev.taskqueue.internal.TaskDeclarations;
import org.jspecify.annotations.Nullable;

/**
 * How the client submits.
 *
 * @param defaultQueue the queue of tasks that name none
 * @param maxPayloadSize the largest encoded message accepted, in bytes
 * @param resultTtl how long task records live
 * @param defaultExpiresIn how long after submission a task expires when its call and declaration set nothing,
 *        or null for never
 * @param allowUnknownTasks whether a task submitted by a name found nowhere (neither declared here nor in the
 *        task catalog) is sent to the default queue instead of refused with {@code UnknownTaskException}
 * @param maxWorkflowTasks the most tasks one workflow may hold: it is compiled in the submitting JVM's memory, and
 *        a chord's callback receives every result at once
 */
public record ClientSettings(String defaultQueue, int maxPayloadSize, Duration resultTtl,
        @Nullable Duration defaultExpiresIn, boolean allowUnknownTasks, int maxWorkflowTasks) {

    /** The most tasks one workflow may hold when nothing says otherwise (a chord of 100,000 members is fine). */
    public static final int DEFAULT_MAX_WORKFLOW_TASKS = 100_000;

    /** 1 MiB: larger payloads belong in an object store, with a reference in the task. */
    public static final int DEFAULT_MAX_PAYLOAD_SIZE = 1024 * 1024;

    /** The defaults: queue {@code default}, 1 MiB payloads, results kept one day. */
    public static final ClientSettings DEFAULTS = new ClientSettings(Defaults.QUEUE, DEFAULT_MAX_PAYLOAD_SIZE,
            Defaults.RESULT_TTL);

    /** Settings without a default expiry, refusing unknown tasks. */
    public ClientSettings(String defaultQueue, int maxPayloadSize, Duration resultTtl) {
        this(defaultQueue, maxPayloadSize, resultTtl, null, false, DEFAULT_MAX_WORKFLOW_TASKS);
    }

    /** These settings, sending tasks of unknown names to the default queue, or not. */
    public ClientSettings allowingUnknownTasks(boolean allow) {
        return new ClientSettings(defaultQueue, maxPayloadSize, resultTtl, defaultExpiresIn, allow, maxWorkflowTasks);
    }

    public ClientSettings {
        TaskDeclarations.checkQueueName(defaultQueue);
        if (maxPayloadSize <= 0) {
            throw new IllegalArgumentException("maxPayloadSize must be positive, got " + maxPayloadSize);
        }
        if (resultTtl.isNegative() || resultTtl.isZero()) {
            throw new IllegalArgumentException("resultTtl must be positive, got " + resultTtl);
        }
        if (defaultExpiresIn != null && (defaultExpiresIn.isNegative() || defaultExpiresIn.isZero())) {
            throw new IllegalArgumentException("defaultExpiresIn must be positive, got " + defaultExpiresIn);
        }
        if (maxWorkflowTasks <= 0) {
            throw new IllegalArgumentException("maxWorkflowTasks must be positive, got " + maxWorkflowTasks);
        }
    }
}
