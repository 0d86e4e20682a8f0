package dev.taskqueue.schedule;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;

import dev.taskqueue.BrokerUnavailableException;
import dev.taskqueue.DeclaredTask;
import dev.taskqueue.TaskCall;
import dev.taskqueue.TaskDefinitionException;
import dev.taskqueue.internal.TaskCatalog;
import dev.taskqueue.internal.TaskDefinition;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * Checks a schedule against the task it submits, at startup, so that a schedule that could never submit its
 * task stops the application's start, naming the schedule, instead of failing at every tick: the task must be
 * known (declared here, or published to the task catalog), and the arguments must fit its parameters.
 *
 * <p>Arguments written in configuration arrive as text ({@code args=weekly,5}); they are converted to the task's
 * parameter types here (the declared Java types when this application declares the task, else the JSON types
 * its workers published), so that each tick submits {@code 5} and not {@code "5"}.
 */
public final class ScheduleCheck {

    private static final Logger log = LoggerFactory.getLogger(ScheduleCheck.class);

    private final TaskCatalog catalog;
    private final ObjectMapper mapper;
    private final boolean allowUnknownTasks;

    /**
     * @param allowUnknownTasks whether a schedule may name a task found nowhere (its workers are deployed later)
     */
    public ScheduleCheck(TaskCatalog catalog, ObjectMapper mapper, boolean allowUnknownTasks) {
        this.catalog = catalog;
        this.mapper = mapper;
        this.allowUnknownTasks = allowUnknownTasks;
    }

    /**
     * The schedule, checked, with text arguments converted.
     *
     * @param where what declared it, for messages: {@code taskqueue.schedules.digest}, {@code Schedule bean 'x'}
     * @param textArguments whether its arguments were written as text (configuration)
     * @throws TaskDefinitionException naming the schedule and what to change
     */
    public Schedule check(Schedule schedule, String where, boolean textArguments) {
        TaskCall<?> call = schedule.call();
        String task = call.taskName();
        TaskDefinition local = catalog.registry().find(task);
        DeclaredTask declared;
        try {
            declared = local != null ? catalog.describe(local) : catalog.published(task);
        }
        catch (BrokerUnavailableException ex) {
            log.warn("Schedule '{}' ({}) submits task '{}', which this application does not declare, and the task "
                    + "catalog cannot be read now ({}); its ticks are checked when they are submitted", schedule.name(),
                    where, task, ex.getMessage());
            return schedule;
        }
        if (declared == null) {
            if (allowUnknownTasks) {
                log.warn("Schedule '{}' ({}) submits task '{}', which no worker has declared yet; its ticks go to "
                        + "the default queue unless it names one", schedule.name(), where, task);
                return schedule;
            }
            throw new TaskDefinitionException("Schedule '" + schedule.name() + "' (" + where + ") submits task '"
                    + task + "', which is unknown: this application does not declare it and no worker has published "
                    + "it to the task catalog. Check the name; if the task's workers are deployed later, set "
                    + "taskqueue.submit.allow-unknown-tasks=true.");
        }
        List<@Nullable Object> args = call.args();
        try {
            if (textArguments) {
                args = local != null ? convert(local, args) : convert(declared, args);
            }
            catalog.checkArguments(declared, args);
        }
        catch (IllegalArgumentException ex) {
            throw new TaskDefinitionException("Schedule '" + schedule.name() + "' (" + where + "): " + ex.getMessage()
                    + ". Fix its arguments (args), in the order of the task's parameters " + declared.parameterNames()
                    + ".");
        }
        if (args == call.args()) {
            return schedule;
        }
        TaskCall<Object> converted = TaskCall.of(task, args.toArray()).withOptions(call.options());
        return new Schedule(schedule.name(), schedule.trigger(), converted, schedule.missed(), schedule.enabled());
    }

    /** Text arguments as the declared Java types, by Jackson: what the worker will read them as. */
    private List<@Nullable Object> convert(TaskDefinition task, List<@Nullable Object> args) {
        if (args.size() != task.parameterTypes().size()) {
            return args; // the arity check names the mismatch
        }
        List<@Nullable Object> converted = new ArrayList<>(args.size());
        for (int i = 0; i < args.size(); i++) {
            try {
                converted.add(mapper.convertValue(args.get(i), task.parameterTypes().get(i)));
            }
            catch (JacksonException | IllegalArgumentException ex) {
                throw new IllegalArgumentException("argument " + (i + 1) + " ('" + args.get(i) + "') cannot be read as "
                        + task.parameterTypes().get(i).toCanonical() + " " + task.parameterNames().get(i), ex);
            }
        }
        return converted;
    }

    /** Text arguments as the JSON types the task's workers published. */
    private List<@Nullable Object> convert(DeclaredTask task, List<@Nullable Object> args) {
        if (args.size() != task.parameters().size()) {
            return args;
        }
        List<@Nullable Object> converted = new ArrayList<>(args.size());
        for (int i = 0; i < args.size(); i++) {
            DeclaredTask.Parameter parameter = task.parameters().get(i);
            Object arg = args.get(i);
            if (!(arg instanceof String text)) {
                converted.add(arg);
                continue;
            }
            try {
                converted.add(switch (parameter.type()) {
                    case INTEGER -> new BigInteger(text.trim());
                    case NUMBER -> new BigDecimal(text.trim());
                    case BOOLEAN -> bool(text.trim());
                    case ARRAY, OBJECT -> json(text, parameter);
                    case STRING, ANY -> text;
                });
            }
            catch (IllegalArgumentException ex) { // NumberFormatException included
                throw new IllegalArgumentException("argument " + (i + 1) + " ('" + text + "') cannot be read as JSON "
                        + parameter.type() + " for " + parameter.javaType() + " " + parameter.name(), ex);
            }
        }
        return converted;
    }

    private static Boolean bool(String text) {
        if (text.equals("true") || text.equals("false")) {
            return Boolean.valueOf(text);
        }
        throw new IllegalArgumentException("not true or false");
    }

    private JsonNode json(String text, DeclaredTask.Parameter parameter) {
        try {
            JsonNode node = mapper.readTree(text);
            if (parameter.type() == DeclaredTask.JsonType.ARRAY ? node.isArray() : node.isObject()) {
                return node;
            }
        }
        catch (JacksonException ex) {
            // explained below
        }
        throw new IllegalArgumentException("not a JSON " + parameter.type());
    }
}
