package dev.taskqueue.internal;

import java.time.Duration;

/**
 * The defaults the client and the worker share, in one place both can use: neither package needs the other's
 * settings for them. {@code WorkerSettings}' {@code DEFAULT_*} constants name them for users.
 */
public final class Defaults {

    /** The queue of tasks that name none, and the queue a worker consumes when none is configured. */
    public static final String QUEUE = "default";

    /** How long results, errors and states are kept. */
    public static final Duration RESULT_TTL = Duration.ofDays(1);

    /** 4 KiB: the longest error message, progress message or dead letter reason kept from a task. */
    public static final int MAX_TEXT_SIZE = 4 * 1024;

    /** 16 KiB: the longest stack trace kept with a failed task. */
    public static final int MAX_STACK_TRACE_SIZE = 16 * 1024;

    private Defaults() {
    }
}
