package dev.taskqueue.client;

import java.util.ArrayList;
import java.util.List;

import dev.taskqueue.Chain;
import dev.taskqueue.Chord;
import dev.taskqueue.Group;
import dev.taskqueue.Signature;
import dev.taskqueue.TaskCall;

/** Every call of a workflow, links included: what a submit asks of all of them (their transaction mode). */
final class WorkflowCalls {

    private WorkflowCalls() {
    }

    static List<TaskCall<?>> of(Signature<?> signature) {
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
