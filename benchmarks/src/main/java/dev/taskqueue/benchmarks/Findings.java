package dev.taskqueue.benchmarks;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * What one run of a scenario found, added as it is measured (so that a run that runs out of time still reports
 * what it had): its figures, and notes, lines worth reading beside them (what went wrong, and why). Thread-safe.
 */
final class Findings {

    private final List<Figure> figures = Collections.synchronizedList(new ArrayList<>());
    private final List<String> notes = Collections.synchronizedList(new ArrayList<>());

    /** Adds a figure; one with a CPU per task adds a note too, naming the Redis commands that cost most. */
    void add(Figure figure) {
        figures.add(figure);
        if (figure.cpu() != null) {
            notes.add("CPU, " + figure.label() + ": " + figure.cpu().describe());
        }
    }

    void note(String line) {
        notes.add(line);
    }

    List<Figure> figures() {
        synchronized (figures) {
            return List.copyOf(figures);
        }
    }

    List<String> notes() {
        synchronized (notes) {
            return List.copyOf(notes);
        }
    }
}
