package dev.taskqueue.workflow;

import java.lang.reflect.Type;
import java.util.List;

/** What a submitted workflow's handle follows: one task (a chain's last step, a chord's callback), or a group. */
public sealed interface Target permits Target.TaskTarget, Target.GroupTarget {

    /** The task's id, or the group's. */
    String id();

    /** A task, in its queue, whose result reads as {@code resultType}. */
    record TaskTarget(String id, String queue, Type resultType) implements Target {
    }

    /** A group, whose members are followed in submit order. */
    record GroupTarget(String id, List<Target> members) implements Target {
    }
}
