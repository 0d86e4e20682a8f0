package dev.taskqueue;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.jspecify.annotations.Nullable;

/**
 * A task as the task catalog knows it: what a {@link Task} method declares, published to Redis by every worker
 * that runs it, so that services that do not declare the task can submit it by name to the right queue, with its
 * priority and policies, and have their arguments checked before anything is sent.
 *
 * @param name the task's name
 * @param queue the queue it is submitted to unless the call names another
 * @param priority its default priority (0 to 9)
 * @param ignoreResult whether its result and states are not stored
 * @param parameters its parameters, in order
 * @param resultType the Java type of its result, such as {@code com.example.Thumbnail}
 * @param policies the execution policies it declares (retries, limits, uniqueness)
 * @param instances the workers that declare it, with when each last published it; empty for a task only this
 *        application knows (it runs no worker)
 * @param lastSeen when a worker last published it, or null for a task only this application knows
 * @param sensitiveResult where its result holds {@link Sensitive} values: paths into its JSON ({@code ""}: all of
 *        it; {@code card.number}: a property; {@code *} for every element of a list or value of a map)
 */
public record DeclaredTask(String name, String queue, int priority, boolean ignoreResult, List<Parameter> parameters,
        String resultType, TaskPolicies policies, Map<String, Instant> instances, @Nullable Instant lastSeen,
        Set<String> sensitiveResult) {

    public DeclaredTask {
        parameters = List.copyOf(parameters);
        instances = Map.copyOf(instances);
        sensitiveResult = Set.copyOf(sensitiveResult);
    }

    /** A task without sensitive results. */
    public DeclaredTask(String name, String queue, int priority, boolean ignoreResult, List<Parameter> parameters,
            String resultType, TaskPolicies policies, Map<String, Instant> instances, @Nullable Instant lastSeen) {
        this(name, queue, priority, ignoreResult, parameters, resultType, policies, instances, lastSeen, Set.of());
    }

    /** Whether any of its arguments or its result holds {@link Sensitive} values. */
    public boolean hasSensitiveValues() {
        return !sensitiveResult.isEmpty() || parameters.stream().anyMatch(p -> !p.sensitive().isEmpty());
    }

    /** The names of its parameters, in order. */
    public List<String> parameterNames() {
        return parameters.stream().map(Parameter::name).toList();
    }

    /**
     * One parameter.
     *
     * @param name its name ({@code arg0}, ... when the worker was compiled without {@code -parameters})
     * @param type the JSON type its argument must have
     * @param javaType the Java type the worker converts it to, such as {@code java.util.List<java.lang.String>}
     * @param nullable whether null is accepted (false for a primitive)
     * @param sensitive where its argument holds {@link Sensitive} values, as paths into its JSON ({@code ""}: all
     *        of it)
     */
    public record Parameter(String name, JsonType type, String javaType, boolean nullable, Set<String> sensitive) {

        public Parameter {
            sensitive = Set.copyOf(sensitive);
        }

        /** A parameter without sensitive values. */
        public Parameter(String name, JsonType type, String javaType, boolean nullable) {
            this(name, type, javaType, nullable, Set.of());
        }

        /** Whether its whole argument is {@link Sensitive}. */
        public boolean entirelySensitive() {
            return sensitive.contains("");
        }
    }

    /** The JSON types of arguments, as Jackson writes and reads them. */
    public enum JsonType {

        STRING, INTEGER, NUMBER, BOOLEAN, ARRAY, OBJECT,

        /** Anything: {@code Object}, {@code JsonNode}, or a type whose JSON shape Jackson does not say. */
        ANY;

        /** Whether an argument of JSON type {@code given} converts to a parameter of this type. */
        public boolean accepts(JsonType given) {
            return this == ANY || given == ANY || this == given || this == NUMBER && given == INTEGER;
        }

        /** How it reads in messages: {@code string}, {@code integer}, ... */
        @Override
        public String toString() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }
}
