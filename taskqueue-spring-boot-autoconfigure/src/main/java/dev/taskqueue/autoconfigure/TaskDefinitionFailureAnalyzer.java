package dev.taskqueue.autoconfigure;

import dev.taskqueue.TaskDefinitionException;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Reports a task or schedule that cannot be defined ({@link TaskDefinitionException}: a wrong {@code @Task} or
 * {@code @Periodic} declaration, a wrong {@code taskqueue.schedules.*} entry, two tasks or schedules with one name, a
 * type that cannot travel as JSON) as Boot's "APPLICATION FAILED TO START" with a description and an action, instead
 * of a stack trace. The exception's message is the description: it names the bean and the method, or the property.
 */
class TaskDefinitionFailureAnalyzer extends AbstractFailureAnalyzer<TaskDefinitionException> {

    static final String ACTION = "Correct what the description names: the @Task or @Periodic declaration of that "
            + "method (its annotation, its parameter or return types, its bean), or the taskqueue.schedules entry in "
            + "your configuration. Every task and schedule is checked when the application starts, so that one "
            + "that could never run fails here rather than at each call.";

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, TaskDefinitionException cause) {
        return new FailureAnalysis(cause.getMessage(), ACTION, cause);
    }
}
