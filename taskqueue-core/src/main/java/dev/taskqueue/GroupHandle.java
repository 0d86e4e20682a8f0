package dev.taskqueue;

import java.util.List;

/**
 * A submitted {@link Group}: its result is every member's result in submit order; it fails (with the first
 * failed member's error, by submit order) as soon as a member failed. Look one up later, from any instance, with
 * {@link TaskClient#groupHandle(String)}.
 *
 * @param <T> the members' result type
 */
public interface GroupHandle<T> extends TaskHandle<List<T>> {

    /** The members' handles, in submit order (for a member that is itself a workflow: its last task's). */
    List<TaskHandle<T>> members();

    /** Each member's current state, in submit order (one read per queue). */
    List<TaskState> states();

    /** How many members finished (in any state). */
    default long finishedCount() {
        return states().stream().filter(TaskState::isFinished).count();
    }
}
