package dev.taskqueue.actuate.endpoint;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

import dev.taskqueue.BrokerUnavailableException;
import dev.taskqueue.UnreadableRecordException;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.actuate.endpoint.InvalidEndpointRequestException;
import org.springframework.boot.actuate.endpoint.SecurityContext;
import org.springframework.boot.actuate.endpoint.Show;
import org.springframework.boot.actuate.endpoint.annotation.DeleteOperation;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;
import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;
import org.springframework.boot.actuate.endpoint.web.annotation.EndpointWebExtension;

/**
 * The {@link TaskQueueEndpoint} over HTTP, with the status codes a REST client expects and a JSON body that says
 * what went wrong: 400 for a path or parameter that names nothing valid, 404 for an unknown queue, task, dead
 * letter or failed outbox row (or no outbox), 500 for a record in Redis that taskqueue did not write, 503 when Redis
 * does not answer. Each operation delegates to the endpoint's operation of the same path.
 * (Without this, a write that finds nothing would answer 204, and a 400's reason would be hidden unless
 * {@code server.error.include-message} shows it.)
 *
 * <p>Values (what tasks carry: see {@link TaskQueueEndpoint}) are shown to a caller as {@code show-values} says:
 * {@link Show#WHEN_AUTHORIZED} shows them to an authenticated caller with one of the {@code roles} (any
 * authenticated caller when there are none), as Boot's {@code env} endpoint does.
 */
@EndpointWebExtension(endpoint = TaskQueueEndpoint.class)
public class TaskQueueEndpointWebExtension {

    private final TaskQueueEndpoint endpoint;
    private final Show showValues;
    private final Set<String> roles;

    /**
     * @param showValues when values are shown
     * @param roles the roles that may see them when {@link Show#WHEN_AUTHORIZED} (none: any authenticated caller)
     */
    public TaskQueueEndpointWebExtension(TaskQueueEndpoint endpoint, Show showValues, Set<String> roles) {
        this.endpoint = endpoint;
        this.showValues = showValues;
        this.roles = Set.copyOf(roles);
    }

    @ReadOperation
    public WebEndpointResponse<Object> overview(SecurityContext caller) {
        return respond(() -> endpoint.overview(withValues(caller)));
    }

    @ReadOperation
    public WebEndpointResponse<Object> list(SecurityContext caller, @Selector String kind, @Nullable Integer count) {
        return respond(() -> endpoint.list(kind, count, withValues(caller)));
    }

    @ReadOperation
    public WebEndpointResponse<Object> get(SecurityContext caller, @Selector String kind, @Selector String name) {
        return respond(() -> endpoint.get(kind, name, withValues(caller)));
    }

    @ReadOperation
    public WebEndpointResponse<Object> getQueuePart(SecurityContext caller, @Selector String kind,
            @Selector String name, @Selector String part, @Nullable String before, @Nullable Integer count) {
        return respond(() -> endpoint.getQueuePart(kind, name, part, before, count, withValues(caller)));
    }

    @ReadOperation
    public WebEndpointResponse<Object> getQueuePartEntry(SecurityContext caller, @Selector String kind,
            @Selector String name, @Selector String part, @Selector String id) {
        return respond(() -> endpoint.getQueuePartEntry(kind, name, part, id, withValues(caller)));
    }

    /** Its answer shows values only when they are always shown: a write that took the caller would need a body. */
    @WriteOperation
    public WebEndpointResponse<Object> act(@Selector String kind, @Selector String name, @Selector String action) {
        return respond(() -> endpoint.act(kind, name, action, showValues.isShown(false)));
    }

    @WriteOperation
    public WebEndpointResponse<Object> actOnQueuePart(@Selector String kind, @Selector String name,
            @Selector String part, @Selector String action) {
        return respond(() -> endpoint.actOnQueuePart(kind, name, part, action));
    }

    @WriteOperation
    public WebEndpointResponse<Object> actOnQueuePartEntry(@Selector String kind, @Selector String name,
            @Selector String part, @Selector String id, @Selector String action) {
        return respond(() -> endpoint.actOnQueuePartEntry(kind, name, part, id, action));
    }

    @DeleteOperation
    public WebEndpointResponse<Object> deleteEntry(@Selector String kind, @Selector String id) {
        return respond(() -> endpoint.deleteEntry(kind, id));
    }

    @DeleteOperation
    public WebEndpointResponse<Object> deleteQueuePart(@Selector String kind, @Selector String name,
            @Selector String part) {
        return respond(() -> endpoint.deleteQueuePart(kind, name, part));
    }

    @DeleteOperation
    public WebEndpointResponse<Object> deleteQueuePartEntry(@Selector String kind, @Selector String name,
            @Selector String part, @Selector String id) {
        return respond(() -> endpoint.deleteQueuePartEntry(kind, name, part, id));
    }

    private boolean withValues(SecurityContext caller) {
        return showValues.isShown(caller, roles);
    }

    private static WebEndpointResponse<Object> respond(Supplier<Object> operation) {
        try {
            return new WebEndpointResponse<>(operation.get(), WebEndpointResponse.STATUS_OK);
        }
        catch (InvalidEndpointRequestException ex) {
            return error(WebEndpointResponse.STATUS_BAD_REQUEST, "Bad Request", ex.getReason());
        }
        catch (TaskQueueEndpoint.NotFoundException ex) {
            return error(WebEndpointResponse.STATUS_NOT_FOUND, "Not Found", ex.getMessage());
        }
        catch (BrokerUnavailableException ex) {
            return error(WebEndpointResponse.STATUS_SERVICE_UNAVAILABLE, "Service Unavailable", ex.getMessage());
        }
        catch (UnreadableRecordException ex) {
            return error(WebEndpointResponse.STATUS_INTERNAL_SERVER_ERROR, "Internal Server Error", ex.getMessage());
        }
    }

    private static WebEndpointResponse<Object> error(int status, String error, @Nullable String message) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", status);
        body.put("error", error);
        body.put("message", message);
        return new WebEndpointResponse<>(body, status);
    }
}
