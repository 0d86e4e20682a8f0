package dev.taskqueue.celery;

import java.util.List;
import java.util.Map;

import dev.taskqueue.internal.TaskDefinition;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Binds a Celery call's positional and keyword arguments to a {@code @Task} method's parameters, as Python binds
 * them: keywords by parameter name (the names are compiled in with {@code -parameters}, Spring Boot's default), each
 * parameter once, none missing. What does not bind is refused as Python refuses it ({@code TypeError}), naming the
 * task and its parameters.
 */
final class CeleryArguments {

    private CeleryArguments() {
    }

    /**
     * The arguments in parameter order.
     *
     * @throws IllegalArgumentException saying what does not bind
     */
    static ArrayNode bind(TaskDefinition task, ArrayNode args, ObjectNode kwargs) {
        if (kwargs.isEmpty()) {
            return args;
        }
        List<String> names = task.parameterNames();
        if (args.size() > names.size()) {
            throw new IllegalArgumentException(task.name() + "() takes " + names.size() + " positional arguments "
                    + names + " but " + args.size() + " were given (" + task.describe() + ")");
        }
        JsonNode[] bound = new JsonNode[names.size()];
        for (int i = 0; i < args.size(); i++) {
            bound[i] = args.get(i);
        }
        for (Map.Entry<String, JsonNode> kwarg : kwargs.properties()) {
            int index = names.indexOf(kwarg.getKey());
            if (index < 0) {
                throw new IllegalArgumentException(task.name() + "() got an unexpected keyword argument '"
                        + kwarg.getKey() + "': its parameters are " + names + " (" + task.describe()
                        + "; compile with -parameters for their real names)");
            }
            if (bound[index] != null) {
                throw new IllegalArgumentException(task.name() + "() got multiple values for argument '"
                        + kwarg.getKey() + "'");
            }
            bound[index] = kwarg.getValue();
        }
        ArrayNode ordered = CeleryJson.MAPPER.createArrayNode();
        for (int i = 0; i < bound.length; i++) {
            if (bound[i] == null) {
                throw new IllegalArgumentException(task.name() + "() missing required argument '" + names.get(i)
                        + "': its parameters are " + names);
            }
            ordered.add(bound[i]);
        }
        return ordered;
    }
}
