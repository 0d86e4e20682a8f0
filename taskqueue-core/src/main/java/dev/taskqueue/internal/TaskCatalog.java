package dev.taskqueue.internal;

import java.lang.reflect.Type;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import dev.taskqueue.DeclaredTask;
import dev.taskqueue.DeclaredTask.JsonType;
import dev.taskqueue.DeclaredTask.Parameter;
import dev.taskqueue.TaskOptions;
import dev.taskqueue.TaskPolicies;
import dev.taskqueue.broker.CatalogStore;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JavaType;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Every task known to the deployment: those this application declares ({@link TaskRegistry}), then those its
 * workers published to the shared {@link CatalogStore}. A by-name submit of a task this application does not
 * declare finds its queue, priority, policies and parameters here.
 *
 * <p>Lookups in the store are cached: a found task for {@link #CACHE_TTL}, a name found nowhere for
 * {@link #MISS_TTL} (a task deployed a moment ago is found within a second). The declaration's JSON carries a
 * version, {@code v}, so that later fields can be added without breaking older readers. Thread-safe.
 */
public final class TaskCatalog {

    private static final Logger log = LoggerFactory.getLogger(TaskCatalog.class);

    /** How often a worker publishes its tasks again: the resolution of "last seen". */
    public static final Duration PUBLISH_INTERVAL = Duration.ofSeconds(30);

    /** How long a task that no worker publishes any more stays known. */
    public static final Duration RETENTION = Duration.ofDays(7);

    /** A worker that has not published for this long is no longer listed among a task's instances. */
    public static final Duration FORGET_INSTANCES_AFTER = Duration.ofMinutes(10);

    /** How long a task read from the store is used before it is read again. */
    static final Duration CACHE_TTL = Duration.ofSeconds(10);

    /** How long a name found nowhere stays unknown before the store is asked again. */
    static final Duration MISS_TTL = Duration.ofSeconds(1);

    private static final int FORMAT_VERSION = 1;

    private final TaskRegistry registry;
    private final @Nullable CatalogStore store;
    private final ObjectMapper mapper;
    private final JsonShapes shapes;
    private final Clock clock;
    private final Map<String, Cached> cache = new ConcurrentHashMap<>();
    private final Map<String, Described> described = new ConcurrentHashMap<>();

    /**
     * @param store the shared catalog, or null when there is none (inline mode): then only this application's
     *        tasks are known
     */
    public TaskCatalog(TaskRegistry registry, @Nullable CatalogStore store, ObjectMapper mapper, Clock clock) {
        this.registry = registry;
        this.store = store;
        this.mapper = mapper;
        this.shapes = new JsonShapes(mapper);
        this.clock = clock;
    }

    /** A catalog of this application's own tasks only. */
    public static TaskCatalog local(TaskRegistry registry, ObjectMapper mapper) {
        return new TaskCatalog(registry, null, mapper, Clock.systemUTC());
    }

    public TaskRegistry registry() {
        return registry;
    }

    /** Whether tasks are also looked up in a shared store. */
    public boolean isShared() {
        return store != null;
    }

    /**
     * The task with this name: declared here, else as its workers published it, else null.
     *
     * @throws dev.taskqueue.BrokerUnavailableException if the store must be asked and cannot be
     */
    public @Nullable DeclaredTask find(String name) {
        TaskDefinition local = registry.find(name);
        return local != null ? describe(local) : published(name);
    }

    /** The task as its workers published it (cached), or null. */
    public @Nullable DeclaredTask published(String name) {
        if (store == null) {
            return null;
        }
        long now = clock.millis();
        Cached cached = cache.get(name);
        if (cached != null && now < cached.until) {
            return cached.task;
        }
        DeclaredTask task;
        try {
            CatalogStore.Entry entry = store.find(name);
            task = entry == null ? null : read(name, entry);
        }
        catch (RuntimeException ex) {
            if (cached != null && cached.task != null) {
                return cached.task; // stale beats none while the store is unreachable: the submit fails on its own
            }
            throw ex;
        }
        cache.put(name, new Cached(task, now + (task != null ? CACHE_TTL : MISS_TTL).toMillis()));
        return task;
    }

    /** Every task known: this application's and the published ones, by name. */
    public List<DeclaredTask> all() {
        Map<String, DeclaredTask> tasks = new LinkedHashMap<>();
        if (store != null) {
            store.all().forEach((name, entry) -> {
                DeclaredTask task = read(name, entry);
                if (task != null) {
                    tasks.put(name, task);
                }
            });
        }
        for (TaskDefinition definition : registry.all()) {
            DeclaredTask published = tasks.get(definition.name());
            DeclaredTask local = describe(definition);
            // This application's declaration is the one it runs; the store says who else runs it, and when.
            tasks.put(definition.name(), published == null ? local : new DeclaredTask(local.name(), local.queue(),
                    local.priority(), local.ignoreResult(), local.parameters(), local.resultType(), local.policies(),
                    published.instances(), published.lastSeen(), local.sensitiveResult()));
        }
        List<DeclaredTask> sorted = new ArrayList<>(tasks.values());
        sorted.sort(Comparator.comparing(DeclaredTask::name));
        return sorted;
    }

    /**
     * Publishes this application's tasks as declared by {@code instanceId}; returns the names refused because the
     * catalog is full. Does nothing without a store.
     */
    public List<String> publish(String instanceId) {
        if (store == null || registry.all().isEmpty()) {
            return List.of();
        }
        Map<String, String> declarations = new LinkedHashMap<>();
        for (TaskDefinition definition : registry.all()) {
            declarations.put(definition.name(), write(describe(definition)));
        }
        return store.publish(instanceId, declarations, RETENTION.toMillis(), FORGET_INSTANCES_AFTER.toMillis());
    }

    /** Says that {@code instanceId} runs this application's tasks no more (it stops). */
    public void withdraw(String instanceId) {
        if (store != null && !registry.all().isEmpty()) {
            store.withdraw(instanceId, registry.all().stream().map(TaskDefinition::name).toList());
        }
    }

    /** A task this application declares, as the catalog shows it (worked out once per definition). */
    public DeclaredTask describe(TaskDefinition definition) {
        Described known = described.get(definition.name());
        if (known != null && known.definition() == definition) {
            return known.task();
        }
        DeclaredTask task = describeNow(definition);
        described.put(definition.name(), new Described(definition, task));
        return task;
    }

    private DeclaredTask describeNow(TaskDefinition definition) {
        List<Parameter> parameters = new ArrayList<>();
        List<Set<String>> sensitive = SensitivePaths.ofParameters(definition.method());
        for (int i = 0; i < definition.parameterTypes().size(); i++) {
            JavaType type = definition.parameterTypes().get(i);
            parameters.add(new Parameter(definition.parameterNames().get(i), shapes.of(type), type.toCanonical(),
                    !type.isPrimitive(), i < sensitive.size() ? sensitive.get(i) : Set.of()));
        }
        return new DeclaredTask(definition.name(), definition.queue(), definition.priority(),
                definition.ignoreResult(), parameters, mapper.constructType(definition.resultType()).toCanonical(),
                definition.policies(), Map.of(), null, SensitivePaths.ofResult(definition.method()));
    }

    /**
     * Checks that {@code args} fit the task's parameters: their number, and each one's JSON type (a string where a
     * number is expected, say), so that a call that could never run is refused before anything is sent.
     *
     * @throws IllegalArgumentException naming the task, the parameter, its type and what was given
     */
    public void checkArguments(DeclaredTask task, List<?> args) {
        List<Parameter> parameters = task.parameters();
        if (parameters.size() != args.size()) {
            throw new IllegalArgumentException("Task '" + task.name() + "' takes " + parameters.size()
                    + " argument(s) " + task.parameterNames() + ", but " + args.size() + " were given");
        }
        for (int i = 0; i < args.size(); i++) {
            Parameter parameter = parameters.get(i);
            Object arg = args.get(i);
            if (arg == null ? !parameter.nullable() : !parameter.type().accepts(shapes.ofValue(arg))) {
                throw new IllegalArgumentException("Task '" + task.name() + "' takes " + parameter.javaType() + " "
                        + parameter.name() + " (JSON " + parameter.type() + ") as argument " + (i + 1) + ", but "
                        + (arg == null ? "null" : "a " + arg.getClass().getName() + " (JSON " + shapes.ofValue(arg)
                                + ")") + " was given");
            }
        }
    }

    /** The JSON type Jackson writes {@code type} as. */
    public JsonType jsonType(Type type) {
        return shapes.of(type);
    }

    private String write(DeclaredTask task) {
        ObjectNode json = mapper.createObjectNode();
        json.put("v", FORMAT_VERSION);
        json.put("queue", task.queue());
        json.put("priority", task.priority());
        json.put("ignoreResult", task.ignoreResult());
        ArrayNode parameters = json.putArray("parameters");
        for (Parameter parameter : task.parameters()) {
            ObjectNode written = parameters.addObject().put("name", parameter.name())
                    .put("type", parameter.type().toString()).put("java", parameter.javaType())
                    .put("nullable", parameter.nullable());
            writePaths(written, parameter.sensitive());
        }
        json.put("result", task.resultType());
        writePaths(json.putObject("resultSensitivity"), task.sensitiveResult());
        json.set("policies", OptionsJson.write(mapper, TaskOptions.defaults().policies(task.policies())));
        return mapper.writeValueAsString(json);
    }

    /** A published task, or null (logged) when its entry cannot be read: one bad entry hides only itself. */
    private @Nullable DeclaredTask read(String name, CatalogStore.Entry entry) {
        try {
            JsonNode json = mapper.readTree(entry.json());
            List<Parameter> parameters = new ArrayList<>();
            for (JsonNode parameter : json.path("parameters")) {
                parameters.add(new Parameter(parameter.path("name").asString(), jsonType(parameter.path("type")),
                        parameter.path("java").asString(), parameter.path("nullable").asBoolean(true),
                        readPaths(parameter)));
            }
            Map<String, Instant> instances = new LinkedHashMap<>();
            entry.instances().forEach((id, seen) -> instances.put(id, Instant.ofEpochMilli(seen)));
            String queue = TaskDeclarations.checkQueueName(json.path("queue").asString());
            int priority = json.path("priority").asInt(TaskOptions.MIN_PRIORITY);
            TaskPolicies policies = OptionsJson.read(json.path("policies")).getPolicies();
            return new DeclaredTask(name, queue, Math.max(TaskOptions.MIN_PRIORITY, Math.min(TaskOptions.MAX_PRIORITY,
                    priority)), json.path("ignoreResult").asBoolean(false), parameters, json.path("result").asString(),
                    policies, instances, entry.lastSeen() > 0 ? Instant.ofEpochMilli(entry.lastSeen()) : null,
                    readPaths(json.path("resultSensitivity")));
        }
        catch (JacksonException | IllegalArgumentException ex) {
            log.warn("The task catalog's entry for '{}' cannot be read, so it is ignored ({}); the next publish of "
                    + "a worker that declares the task replaces it", name, ex.getMessage());
            return null;
        }
    }

    /**
     * Writes where a value holds {@link dev.taskqueue.Sensitive} values: {@code "sensitive": true} when all of it,
     * else {@code "sensitivePaths": [...]}; nothing when none (older readers ignore both).
     */
    private static void writePaths(ObjectNode json, Set<String> paths) {
        if (paths.contains(SensitivePaths.WHOLE)) {
            json.put("sensitive", true);
        }
        else if (!paths.isEmpty()) {
            ArrayNode array = json.putArray("sensitivePaths");
            paths.stream().sorted().forEach(array::add);
        }
    }

    private static Set<String> readPaths(JsonNode json) {
        if (json.path("sensitive").asBoolean(false)) {
            return Set.of(SensitivePaths.WHOLE);
        }
        Set<String> paths = new java.util.TreeSet<>();
        for (JsonNode path : json.path("sensitivePaths")) {
            if (path.isString()) {
                paths.add(path.asString());
            }
        }
        return paths;
    }

    private static JsonType jsonType(JsonNode type) {
        try {
            return JsonType.valueOf(type.asString().toUpperCase(java.util.Locale.ROOT));
        }
        catch (IllegalArgumentException ex) {
            return JsonType.ANY; // a type a newer publisher knows: let the worker decide
        }
    }

    private record Cached(@Nullable DeclaredTask task, long until) {
    }

    private record Described(TaskDefinition definition, DeclaredTask task) {
    }
}
