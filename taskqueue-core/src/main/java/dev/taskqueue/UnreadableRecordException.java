package dev.taskqueue;

import org.jspecify.annotations.Nullable;

/**
 * A record that taskqueue keeps in Redis (a task's state, result and error; a group's members) holds what taskqueue
 * never writes there: it was written by something other than taskqueue, or by an incompatible version. The message
 * names the record, what is wrong in it and what to do. Nothing is guessed from such a record: a task whose state
 * cannot be read is not reported as pending, a result that is not JSON is not blamed on the type asked for.
 */
public class UnreadableRecordException extends TaskQueueException {

    private static final long serialVersionUID = 1L;

    /** The most characters of a stored value that a message shows. */
    private static final int SHOWN = 40;

    private final String id;

    private final @Nullable String queue;

    private UnreadableRecordException(String record, String id, @Nullable String queue, String problem) {
        super("The stored record of " + record + " cannot be read: " + problem + ". It was written by something other "
                + "than taskqueue, or by an incompatible version: check what else writes to this Redis under "
                + "taskqueue's key prefix, and that every instance runs a compatible taskqueue. Deleting the record "
                + "forgets it.");
        this.id = id;
        this.queue = queue;
    }

    /**
     * A task's record.
     *
     * @param taskName the task's name, when the record tells it
     * @param problem what is wrong, such as {@code its state 'X' is not one taskqueue writes}
     */
    public static UnreadableRecordException ofTask(@Nullable String taskName, String taskId, @Nullable String queue,
            String problem) {
        return new UnreadableRecordException("task " + (taskName != null ? taskName + " " : "") + "[" + taskId + "]"
                + (queue != null ? " in queue '" + queue + "'" : ""), taskId, queue, problem);
    }

    /** A group's record (its members). */
    public static UnreadableRecordException ofGroup(String groupId, String problem) {
        return new UnreadableRecordException("group [" + groupId + "]", groupId, null, problem);
    }

    /** A stored value as these messages show it: quoted, and cut after a few characters. */
    public static String quote(String value) {
        return "'" + (value.length() <= SHOWN ? value : value.substring(0, SHOWN) + "...") + "'";
    }

    /** The task's or the group's id. */
    public String getId() {
        return id;
    }

    /** The task's queue, when known; null for a group. */
    public @Nullable String getQueue() {
        return queue;
    }
}
