package dev.taskqueue.autoconfigure.actuate;

import java.util.List;
import java.util.Map;

import dev.taskqueue.readme.security.ActuatorUsers;
import org.jspecify.annotations.Nullable;

import org.springframework.http.HttpMethod;
import org.springframework.web.client.RestClient;

/** Calls an application's actuator over HTTP and returns the status and the JSON body, whatever the status. */
public final class ActuatorHttp {

    private final RestClient http;

    /** As the operator with every right (user {@code ops} of {@link ActuatorUsers}). */
    public ActuatorHttp(int port) {
        this(port, ActuatorUsers.OPS, ActuatorUsers.OPS_PASSWORD);
    }

    /** As this user, or anonymously when {@code user} is null. */
    public ActuatorHttp(int port, @Nullable String user, @Nullable String password) {
        RestClient.Builder builder = RestClient.builder().baseUrl("http://127.0.0.1:" + port);
        if (user != null && password != null) {
            builder.defaultHeaders(headers -> headers.setBasicAuth(user, password));
        }
        this.http = builder.build();
    }

    public Reply get(String path, Object... variables) {
        return call(HttpMethod.GET, path, variables);
    }

    public Reply post(String path, Object... variables) {
        return call(HttpMethod.POST, path, variables);
    }

    public Reply delete(String path, Object... variables) {
        return call(HttpMethod.DELETE, path, variables);
    }

    public Reply call(HttpMethod method, String path, Object... variables) {
        return http.method(method).uri(path, variables).exchange((request, response) -> new Reply(
                response.getStatusCode().value(), response.bodyTo(Object.class)));
    }

    /**
     * An answer.
     *
     * @param status its HTTP status
     * @param body its JSON body as maps and lists, or null when it has none
     */
    public record Reply(int status, @Nullable Object body) {

        @SuppressWarnings("unchecked")
        public Map<String, Object> map() {
            return (Map<String, Object>) body;
        }

        @SuppressWarnings("unchecked")
        public List<Map<String, Object>> list() {
            return (List<Map<String, Object>>) body;
        }

        /** The message of an error answer. */
        public String message() {
            return (String) map().get("message");
        }
    }
}
