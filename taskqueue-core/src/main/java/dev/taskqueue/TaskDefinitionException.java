package dev.taskqueue;

/**
 * Thrown at startup when a {@link Task} method cannot be a task: a duplicate name, a parameter or result type
 * that cannot travel as JSON, an invalid queue or priority. The message names the bean and the method.
 */
public class TaskDefinitionException extends TaskQueueException {

    private static final long serialVersionUID = 1L;

    public TaskDefinitionException(String message) {
        super(message);
    }
}
