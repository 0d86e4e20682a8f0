package dev.taskqueue.dashboard.access;

/**
 * When the dashboard shows what tasks carry (arguments, results, error messages and stacks), as Boot's
 * {@code show-values}: a value not shown reads as {@code ******}. Values a task declares sensitive are masked
 * whatever this says.
 */
public enum ShowValues {

    /** Never. */
    NEVER,

    /** To every caller who may read the dashboard. */
    ALWAYS,

    /** To callers with the operate or admin right. */
    WHEN_AUTHORIZED;

    /** Whether this caller sees values. */
    public boolean shownTo(Caller caller) {
        return switch (this) {
            case NEVER -> false;
            case ALWAYS -> true;
            case WHEN_AUTHORIZED -> caller.may(Right.OPERATE) || caller.may(Right.ADMIN);
        };
    }
}
