package dev.taskqueue.testing;

import java.util.ArrayList;
import java.util.List;

/**
 * What a test started (servers, clients, workers), closed in reverse order, each whatever happened to the others:
 * every process must end.
 */
public final class Teardown implements AutoCloseable {

    private final List<AutoCloseable> started = new ArrayList<>();

    /** Closes {@code closeable} at teardown, before whatever was added earlier; returns it. */
    public <T extends AutoCloseable> T add(T closeable) {
        started.add(closeable);
        return closeable;
    }

    @Override
    public void close() {
        for (int i = started.size() - 1; i >= 0; i--) {
            try {
                started.get(i).close();
            }
            catch (Exception ex) {
                // go on: the rest must close too
            }
        }
        started.clear();
    }
}
