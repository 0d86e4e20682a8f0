package dev.taskqueue.test;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import dev.taskqueue.event.TaskEventListener;

/** Hears every run the worker finishes, in order: what {@link TaskQueueTester#ran()} and its drains return. */
final class Executions implements TaskEventListener {

    private final List<Execution> finished = new CopyOnWriteArrayList<>();

    @Override
    public void finished(Execution execution) {
        finished.add(execution);
    }

    /** A mark to read what finishes after it. */
    int mark() {
        return finished.size();
    }

    List<Execution> since(int mark) {
        List<Execution> all = List.copyOf(finished);
        return all.subList(Math.min(mark, all.size()), all.size());
    }

    void clear() {
        finished.clear();
    }
}
