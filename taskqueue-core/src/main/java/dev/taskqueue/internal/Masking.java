package dev.taskqueue.internal;

import java.util.List;
import java.util.Set;

import dev.taskqueue.DeclaredTask;
import dev.taskqueue.ValueMasker;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.databind.node.StringNode;

/**
 * Masks a task's {@link dev.taskqueue.Sensitive} values in its arguments' or result's JSON before operators see them
 * (the dashboard, the actuator endpoint): the task's declaration is found in the {@link TaskCatalog} (this
 * application's tasks, then those other services' workers published, with their sensitive paths), and each value at
 * a sensitive path is replaced by what the {@link ValueMasker} shows. A task the catalog does not know is shown as
 * it is: nothing marks its values.
 *
 * <p>JSON that cannot be read (cut, or written by something else) is replaced whole by the mask when the task has
 * sensitive values: a value is never shown because its surroundings could not be parsed. Thread-safe.
 */
public final class Masking {

    private static final Logger log = LoggerFactory.getLogger(Masking.class);

    /** The path of a result, as {@link ValueMasker} is told it. */
    public static final String RESULT = "result";

    private final TaskCatalog catalog;
    private final ValueMasker masker;
    private final ObjectMapper mapper;

    public Masking(TaskCatalog catalog, ValueMasker masker, ObjectMapper mapper) {
        this.catalog = catalog;
        this.masker = masker;
        this.mapper = mapper;
    }

    /** The arguments (a JSON array) with the task's sensitive values masked; null stays null. */
    public @Nullable String arguments(String taskName, @Nullable String argumentsJson) {
        DeclaredTask task = declaration(taskName);
        if (argumentsJson == null || task == null || task.parameters().stream().allMatch(p -> p.sensitive()
                .isEmpty())) {
            return argumentsJson;
        }
        JsonNode args = read(argumentsJson);
        if (!(args instanceof ArrayNode array)) {
            return wholeMasked(taskName, "arguments");
        }
        List<DeclaredTask.Parameter> parameters = task.parameters();
        for (int i = 0; i < array.size() && i < parameters.size(); i++) {
            DeclaredTask.Parameter parameter = parameters.get(i);
            array.set(i, mask(taskName, parameter.name(), array.get(i), parameter.sensitive()));
        }
        return array.toString();
    }

    /** The result (any JSON) with the task's sensitive values masked; null stays null. */
    public @Nullable String result(String taskName, @Nullable String resultJson) {
        DeclaredTask task = declaration(taskName);
        if (resultJson == null || task == null || task.sensitiveResult().isEmpty()) {
            return resultJson;
        }
        JsonNode result = read(resultJson);
        if (result == null) {
            return wholeMasked(taskName, RESULT);
        }
        return mask(taskName, RESULT, result, task.sensitiveResult()).toString();
    }

    private @Nullable DeclaredTask declaration(String taskName) {
        try {
            return catalog.find(taskName);
        }
        catch (RuntimeException ex) { // the shared catalog cannot be read: mask nothing of tasks unknown here
            log.debug("Could not look task '{}' up in the task catalog to mask its values", taskName, ex);
            return null;
        }
    }

    private @Nullable JsonNode read(String json) {
        try {
            return mapper.readTree(json);
        }
        catch (JacksonException ex) {
            return null;
        }
    }

    private String wholeMasked(String taskName, String path) {
        return masker.mask(taskName, path, StringNode.valueOf("")).toString();
    }

    /** {@code value} with each of {@code paths} (relative to it) masked. */
    private JsonNode mask(String taskName, String path, JsonNode value, Set<String> paths) {
        if (paths.contains(SensitivePaths.WHOLE)) {
            return value.isNull() ? value : masker.mask(taskName, path, value);
        }
        for (String sensitive : paths) {
            maskAt(taskName, path, value, sensitive.split("\\."), 0);
        }
        return value;
    }

    private void maskAt(String taskName, String path, JsonNode node, String[] segments, int index) {
        String segment = segments[index];
        boolean last = index == segments.length - 1;
        if (segment.equals("*")) {
            if (node instanceof ArrayNode array) {
                for (int i = 0; i < array.size(); i++) {
                    JsonNode element = array.get(i);
                    if (last) {
                        array.set(i, masked(taskName, path + ".*", element));
                    }
                    else {
                        maskAt(taskName, path + ".*", element, segments, index + 1);
                    }
                }
            }
            else if (node instanceof ObjectNode object) {
                for (String name : List.copyOf(object.propertyNames())) {
                    if (last) {
                        object.set(name, masked(taskName, path + ".*", object.get(name)));
                    }
                    else {
                        maskAt(taskName, path + ".*", object.get(name), segments, index + 1);
                    }
                }
            }
            return;
        }
        if (node instanceof ObjectNode object && object.has(segment)) {
            String at = path + "." + segment;
            if (last) {
                object.set(segment, masked(taskName, at, object.get(segment)));
            }
            else {
                maskAt(taskName, at, object.get(segment), segments, index + 1);
            }
        }
    }

    private JsonNode masked(String taskName, String path, JsonNode value) {
        return value.isNull() ? value : masker.mask(taskName, path, value);
    }
}
