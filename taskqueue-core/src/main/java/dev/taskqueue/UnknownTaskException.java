package dev.taskqueue;

/**
 * Thrown at submit when no task has the name: this application does not declare it, and no worker has published
 * it to the task catalog. Nothing was sent. Check the name; if the task's workers are deployed later, allow
 * unknown tasks ({@code taskqueue.submit.allow-unknown-tasks=true}): they then go to the default queue.
 */
public class UnknownTaskException extends TaskQueueException {

    private static final long serialVersionUID = 1L;

    private final String taskName;

    public UnknownTaskException(String taskName) {
        super("No task is named '" + taskName + "': this application does not declare it, and no worker has "
                + "published it to the task catalog. Check the name, or start a worker that declares it; to send "
                + "tasks for workers deployed later, set taskqueue.submit.allow-unknown-tasks=true (they then go to "
                + "the default queue unless the call names one).");
        this.taskName = taskName;
    }

    public String getTaskName() {
        return taskName;
    }
}
