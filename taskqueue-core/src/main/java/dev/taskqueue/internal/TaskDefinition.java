package dev.taskqueue.internal;

import java.lang.reflect.Method;
import java.lang.reflect.Type;
import java.util.List;

import dev.taskqueue.TaskPolicies;

import tools.jackson.databind.JavaType;

/**
 * A task as the registry knows it: its name and defaults, and the bean method that runs it.
 *
 * @param name the task name
 * @param queue the queue it is submitted to by default
 * @param priority the default priority
 * @param ignoreResult whether its result and states are not stored
 * @param beanName the bean's name, for messages
 * @param bean the object the method is invoked on (a Spring proxy when there is one, so advice applies)
 * @param method the method to invoke
 * @param parameterNames the parameter names, for messages ({@code arg0}... without {@code -parameters})
 * @param parameterTypes the parameter types arguments convert to
 * @param resultType the type the result is written as
 * @param policies the execution policies it declares (unset ones come from the application's defaults)
 */
public record TaskDefinition(String name, String queue, int priority, boolean ignoreResult, String beanName,
        Object bean, Method method, List<String> parameterNames, List<JavaType> parameterTypes, Type resultType,
        TaskPolicies policies) {

    /** {@code bean 'thumbnails', method com.example.Thumbnails.make(String, int)}. */
    public String describe() {
        return "bean '" + beanName + "', method " + TaskDeclarations.describe(method);
    }
}
