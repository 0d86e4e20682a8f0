package dev.taskqueue.broker;

/** What the broker did with a submitted message. */
public enum SubmitResult {

    /** The message is stored. */
    ACCEPTED,

    /** A task with the same caller-chosen id already exists; nothing was stored. */
    DUPLICATE
}
