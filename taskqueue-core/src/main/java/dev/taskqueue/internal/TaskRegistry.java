package dev.taskqueue.internal;

import java.lang.reflect.Method;
import java.lang.reflect.Parameter;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.taskqueue.Task;
import dev.taskqueue.TaskDefinitionException;
import dev.taskqueue.TaskOptions;
import dev.taskqueue.TaskPolicies;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JavaType;
import tools.jackson.databind.ObjectMapper;

/**
 * The tasks this application declares, by name, collected from the beans' {@link Task} methods as they are
 * registered (in Spring, as each bean is initialised). Every problem with a declaration (a duplicate name, a type
 * that cannot travel as JSON) throws at registration, naming the bean and the method, so the application fails
 * to start. Thread-safe.
 */
public final class TaskRegistry {

    /** Written under this object's lock (registrations, at startup). */
    private final Map<String, TaskDefinition> byName = new LinkedHashMap<>();
    /**
     * What readers see: a copy published after each registration, so that looking a task up (several times per
     * submit and per run) takes no lock.
     */
    private volatile Map<String, TaskDefinition> published = Map.of();
    private final ObjectMapper mapper;
    private final String defaultQueue;

    public TaskRegistry(ObjectMapper mapper, String defaultQueue) {
        this.mapper = mapper;
        this.defaultQueue = TaskDeclarations.checkQueueName(defaultQueue);
    }

    /** The task with this name, or null. */
    public @Nullable TaskDefinition find(String name) {
        return published.get(name);
    }

    /** All tasks, in registration order. */
    public List<TaskDefinition> all() {
        return List.copyOf(published.values());
    }

    /** The queues this application declares: its default queue, then those of its tasks. */
    public Set<String> declaredQueues() {
        Set<String> declared = new LinkedHashSet<>();
        declared.add(defaultQueue);
        published.values().forEach(task -> declared.add(task.queue()));
        return declared;
    }

    /** The queue of tasks that name none. */
    public String defaultQueue() {
        return defaultQueue;
    }

    /**
     * Registers every {@link Task} method of {@code targetClass}, invoked on {@code bean}.
     *
     * @param beanName the bean's name, for messages
     * @param bean the object to invoke (may be a proxy of {@code targetClass})
     * @param targetClass the class whose methods carry the annotations
     * @return how many tasks were registered
     * @throws TaskDefinitionException if a method cannot be a task
     */
    public synchronized int register(String beanName, Object bean, Class<?> targetClass) {
        List<Method> methods = taskMethods(targetClass);
        try {
            for (Method method : methods) {
                add(beanName, bean, method);
            }
        }
        finally {
            published = Collections.unmodifiableMap(new LinkedHashMap<>(byName));
        }
        return methods.size();
    }

    /** Whether {@code targetClass} declares any {@link Task} method. */
    public static boolean hasTaskMethods(Class<?> targetClass) {
        return !taskMethods(targetClass).isEmpty();
    }

    /**
     * The method to call on {@code bean}: the annotated one, or, when {@code bean} is an interface-based proxy,
     * the interface method with the same signature (so that the proxy's advice, e.g. transactions, applies).
     */
    private static Method invocableOn(Object bean, Method method, String where) {
        Method invocable = method;
        if (!method.getDeclaringClass().isInstance(bean)) {
            try {
                invocable = bean.getClass().getMethod(method.getName(), method.getParameterTypes());
            }
            catch (NoSuchMethodException ex) {
                throw new TaskDefinitionException("The bean of " + where + " is a proxy that does not expose the "
                        + "method: declare it on an interface the bean implements, or use class-based proxies.");
            }
        }
        invocable.trySetAccessible();
        return invocable;
    }

    private static List<Method> taskMethods(Class<?> targetClass) {
        List<Method> found = new ArrayList<>();
        for (Class<?> c = targetClass; c != null && c != Object.class; c = c.getSuperclass()) {
            for (Method method : c.getDeclaredMethods()) {
                if (method.isBridge() || method.isSynthetic() || TaskDeclarations.findTaskAnnotation(method) == null
                        || overridden(found, method)) {
                    continue;
                }
                found.add(method);
            }
        }
        return found;
    }

    private static boolean overridden(List<Method> found, Method method) {
        return found.stream().anyMatch(m -> m.getName().equals(method.getName())
                && java.util.Arrays.equals(m.getParameterTypes(), method.getParameterTypes()));
    }

    private void add(String beanName, Object bean, Method method) {
        Task task = TaskDeclarations.findTaskAnnotation(method);
        String where = "bean '" + beanName + "', method " + TaskDeclarations.describe(method);
        if (!TaskDeclarations.isInvocable(method)) {
            throw new TaskDefinitionException("@Task on a static or private method (" + where
                    + "): make it a non-private instance method of the bean.");
        }
        String name = TaskDeclarations.taskName(method, task);
        TaskDefinition existing = byName.get(name);
        if (existing != null) {
            throw new TaskDefinitionException("Two methods declare the task '" + name + "': " + existing.describe()
                    + ", and " + where + ". Give one of them another name in @Task(name = ...).");
        }
        String queue = task.queue().isEmpty() ? defaultQueue : task.queue();
        try {
            TaskDeclarations.checkQueueName(queue);
        }
        catch (IllegalArgumentException ex) {
            throw new TaskDefinitionException(ex.getMessage() + " (" + where + ")");
        }
        int priority = task.priority() < 0 ? TaskOptions.MIN_PRIORITY : task.priority();
        if (priority > TaskOptions.MAX_PRIORITY) {
            throw new TaskDefinitionException("@Task(priority = " + task.priority() + ") must be between 0 and 9 ("
                    + where + ").");
        }
        List<String> parameterNames = new ArrayList<>();
        List<JavaType> parameterTypes = new ArrayList<>();
        Parameter[] parameters = method.getParameters();
        for (int i = 0; i < parameters.length; i++) {
            Type type = method.getGenericParameterTypes()[i];
            String problem = JsonTypes.whyNotTravelable(mapper, type);
            if (problem != null) {
                throw new TaskDefinitionException("Task '" + name + "' (" + where + "): parameter '"
                        + parameters[i].getName() + "' cannot travel as JSON: " + problem + ".");
            }
            parameterNames.add(parameters[i].getName());
            parameterTypes.add(mapper.constructType(type));
        }
        Type resultType = TaskDeclarations.resultType(method);
        String problem = JsonTypes.whyNotTravelable(mapper, resultType);
        if (problem != null) {
            throw new TaskDefinitionException("Task '" + name + "' (" + where + "): its result cannot travel as "
                    + "JSON: " + problem + ".");
        }
        TaskPolicies policies;
        try {
            policies = TaskDeclarations.policies(task, parameterNames);
        }
        catch (IllegalArgumentException ex) {
            throw new TaskDefinitionException("Task '" + name + "' (" + where + "): " + ex.getMessage() + ".");
        }
        Method invocable = invocableOn(bean, method, where);
        byName.put(name, new TaskDefinition(name, queue, priority, task.ignoreResult(), beanName, bean, invocable,
                List.copyOf(parameterNames), List.copyOf(parameterTypes), resultType, policies));
    }
}
