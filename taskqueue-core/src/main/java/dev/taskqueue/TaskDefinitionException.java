package dev.taskqueue;

/**
 * Thrown at startup when a {@link Task} method cannot be a task (a duplicate name, a parameter or result type that
 * cannot travel as JSON, an invalid queue or priority) or a schedule cannot be defined (a wrong {@link Periodic},
 * a wrong {@code taskqueue.schedules} entry, two schedules with one name). The message names the bean and the
 * method, or the property.
 */
public class TaskDefinitionException extends TaskQueueException {

    private static final long serialVersionUID = 1L;

    public TaskDefinitionException(String message) {
        super(message);
    }

    public TaskDefinitionException(String message, Throwable cause) {
        super(message, cause);
    }
}
