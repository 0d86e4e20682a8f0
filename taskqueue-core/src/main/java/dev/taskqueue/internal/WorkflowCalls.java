package dev.taskqueue.internal;

import java.util.ArrayList;
import java.util.List;

import dev.taskqueue.Chain;
import dev.taskqueue.Chord;
import dev.taskqueue.Group;
import dev.taskqueue.Signature;
import dev.taskqueue.TaskCall;

/**
 * Every call of a workflow, links included: for what a submit asks of all of them (their transaction mode, whether
 * they go to Celery queues).
 */
public final class WorkflowCalls {

    private WorkflowCalls() {
    }

    /**
     * The calls of {@code signature} in the order they appear: chain items, group members, a chord's header then its
     * body, each with its links and error links after it.
     */
    public static List<TaskCall<?>> of(Signature<?> signature) {
        List<TaskCall<?>> calls = new ArrayList<>();
        collect(signature, calls);
        return calls;
    }

    private static void collect(Signature<?> signature, List<TaskCall<?>> calls) {
        if (signature instanceof TaskCall<?> call) {
            calls.add(call);
        }
        else if (signature instanceof Chain<?> chain) {
            chain.items().forEach(item -> collect(item, calls));
        }
        else if (signature instanceof Group<?> group) {
            group.members().forEach(member -> collect(member, calls));
        }
        else if (signature instanceof Chord<?> chord) {
            collect(chord.header(), calls);
            collect(chord.body(), calls);
        }
        signature.links().forEach(link -> collect(link, calls));
        signature.errorLinks().forEach(link -> collect(link, calls));
    }
}
