package dev.taskqueue.internal;

import java.lang.reflect.InvocationTargetException;

import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.node.ArrayNode;

/**
 * Calls a task's method with arguments read from JSON: used by the worker, and by the inline mode that runs
 * tasks in the submitting thread. Arguments only become the types the method declares.
 */
public final class TaskInvoker {

    private final MessageCodec codec;

    public TaskInvoker(MessageCodec codec) {
        this.codec = codec;
    }

    /**
     * The method's arguments, converted from JSON.
     *
     * @throws IllegalArgumentException naming the first argument that does not fit, or a wrong count
     */
    public @Nullable Object[] bind(TaskDefinition task, ArrayNode json) {
        int expected = task.parameterTypes().size();
        if (json.size() != expected) {
            throw new IllegalArgumentException("task '" + task.name() + "' takes " + expected + " argument(s) "
                    + task.parameterNames() + ", got " + json.size());
        }
        Object[] args = new Object[expected];
        for (int i = 0; i < expected; i++) {
            String parameter = task.parameterNames().get(i);
            String type = task.parameterTypes().get(i).toCanonical();
            try {
                args[i] = codec.convertArgument(json.get(i), task.parameterTypes().get(i));
            }
            catch (JacksonException ex) {
                throw new IllegalArgumentException("argument '" + parameter + "' of task '" + task.name()
                        + "' must be " + type + ", got " + abbreviate(json.get(i).toString()) + " ("
                        + ex.getOriginalMessage() + ")");
            }
            if (args[i] == null && task.parameterTypes().get(i).isPrimitive()) {
                throw new IllegalArgumentException("argument '" + parameter + "' of task '" + task.name() + "' is a "
                        + type + " and cannot be null");
            }
        }
        return args;
    }

    /**
     * Invokes the method.
     *
     * @throws Throwable what the method threw, unwrapped from reflection
     */
    public @Nullable Object invoke(TaskDefinition task, @Nullable Object[] args) throws Throwable {
        try {
            return task.method().invoke(task.bean(), args);
        }
        catch (InvocationTargetException | IllegalAccessException ex) {
            throw Errors.unwrap(ex);
        }
    }

    private static String abbreviate(String text) {
        return text.length() <= 200 ? text : text.substring(0, 200) + "...";
    }
}
