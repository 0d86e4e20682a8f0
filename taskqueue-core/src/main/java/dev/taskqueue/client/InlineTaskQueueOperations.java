package dev.taskqueue.client;

import java.util.List;

import dev.taskqueue.ChordStatus;
import dev.taskqueue.DeadLetter;
import dev.taskqueue.DeclaredTask;
import dev.taskqueue.TaskQueueOperations;
import dev.taskqueue.internal.TaskCatalog;
import dev.taskqueue.internal.TaskDeclarations;
import org.jspecify.annotations.Nullable;

/**
 * {@link TaskQueueOperations} of the inline mode, where each task runs in the thread that submits it: no queue
 * holds a task, a failure is thrown to the caller rather than kept as a dead letter, a chord completes before its
 * submit returns, and there is nothing left to revoke. The catalog is this application's tasks.
 */
public final class InlineTaskQueueOperations implements TaskQueueOperations {

    private final TaskCatalog catalog;

    public InlineTaskQueueOperations(TaskCatalog catalog) {
        this.catalog = catalog;
    }

    @Override
    public List<DeadLetter> deadLetters(String queue, @Nullable String before, int count) {
        TaskDeclarations.checkQueueName(queue);
        return List.of();
    }

    @Override
    public @Nullable DeadLetter deadLetter(String queue, String deadLetterId) {
        return null;
    }

    @Override
    public boolean requeueDeadLetter(String queue, String deadLetterId) {
        return false;
    }

    @Override
    public int requeueDeadLetters(String queue) {
        return 0;
    }

    @Override
    public boolean deleteDeadLetter(String queue, String deadLetterId) {
        return false;
    }

    @Override
    public int deleteDeadLetters(String queue) {
        return 0;
    }

    /** Always false: an inline task ran to its end before its submit returned. */
    @Override
    public boolean revoke(String taskId, boolean interruptIfRunning) {
        return false;
    }

    /** Always false, as {@link #revoke(String, boolean)}. */
    @Override
    public boolean revoke(String queue, String taskId, boolean interruptIfRunning) {
        return false;
    }

    @Override
    public List<ChordStatus> chords(int max) {
        return List.of();
    }

    @Override
    public List<DeclaredTask> catalog() {
        return catalog.all();
    }
}
