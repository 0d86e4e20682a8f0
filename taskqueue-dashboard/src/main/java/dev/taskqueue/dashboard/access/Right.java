package dev.taskqueue.dashboard.access;

import java.util.Locale;

/** What a caller may do in the dashboard; admin implies operate, and operate implies read. */
public enum Right {

    /** See every page. */
    READ,

    /** Pause and resume queues, retry, delete and revoke tasks, run, enable and disable schedules. */
    OPERATE,

    /** Purge queues, retry or delete every dead letter of a queue at once. */
    ADMIN;

    /** How the UI names it: {@code read}, {@code operate}, {@code admin}. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
