package dev.taskqueue.dashboard;

import java.io.IOException;
import java.net.CookieManager;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.json.JsonMapper;

/**
 * Calls the dashboard over real HTTP as one user (HTTP basic), keeping the session cookie so that a CSRF token read
 * from {@code /api/me} is accepted on the next write ({@link #withCsrf()}).
 */
public final class DashboardHttp {

    private static final JsonMapper JSON = JsonMapper.shared();

    private final HttpClient http = HttpClient.newBuilder().cookieHandler(new CookieManager())
            .connectTimeout(Duration.ofSeconds(5)).build();
    private final String root;
    private final @Nullable String authorization;
    private @Nullable String csrfHeader;
    private @Nullable String csrfToken;

    /** As this user (with the test password), or anonymously when null. */
    public DashboardHttp(int port, @Nullable String user) {
        this.root = "http://127.0.0.1:" + port;
        this.authorization = user == null ? null : "Basic " + Base64.getEncoder().encodeToString(
                (user + ":" + DashboardTestApplication.PASSWORD).getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Signs in as a browser does, through Spring Security's login form (its CSRF token included): later requests are
     * authenticated by the session cookie alone.
     */
    public static DashboardHttp signedIn(int port, String user) {
        return signedIn(port, user, DashboardTestApplication.PASSWORD);
    }

    /** As {@link #signedIn(int, String)}, with this password. */
    public static DashboardHttp signedIn(int port, String user, String password) {
        DashboardHttp http = new DashboardHttp(port, null);
        java.util.regex.Matcher token = java.util.regex.Pattern.compile("name=\"_csrf\"[^>]*value=\"([^\"]+)\"")
                .matcher(http.get("/login").body());
        if (!token.find()) {
            throw new IllegalStateException("No CSRF token in the login page");
        }
        String form = "username=" + user + "&password=" + password + "&_csrf="
                + java.net.URLEncoder.encode(token.group(1), StandardCharsets.UTF_8);
        HttpRequest login = http.request("/login").header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)).build();
        int status = http.send(login).status();
        if (status != 302) {
            throw new IllegalStateException("Signing in as " + user + " answered " + status);
        }
        return http;
    }

    /** Reads the CSRF token as the UI does ({@code /api/me}), and sends it with every later write. */
    @SuppressWarnings("unchecked")
    public DashboardHttp withCsrf() {
        Map<String, Object> csrf = (Map<String, Object>) get("/taskqueue/api/me").map().get("csrf");
        csrfHeader = (String) csrf.get("header");
        csrfToken = (String) csrf.get("token");
        return this;
    }

    public Reply get(String path) {
        return call("GET", path, Map.of());
    }

    public Reply get(String path, Map<String, String> headers) {
        return call("GET", path, headers);
    }

    public Reply post(String path) {
        return call("POST", path, Map.of());
    }

    public Reply delete(String path) {
        return call("DELETE", path, Map.of());
    }

    private Reply call(String method, String path, Map<String, String> headers) {
        HttpRequest.Builder request = request(path).method(method, HttpRequest.BodyPublishers.noBody());
        headers.forEach(request::header);
        if (csrfHeader != null && csrfToken != null && !method.equals("GET")) {
            request.header(csrfHeader, csrfToken);
        }
        return send(request.build());
    }

    private Reply send(HttpRequest request) {
        try {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            return new Reply(response.statusCode(), response.headers().map(), response.body());
        }
        catch (IOException ex) {
            throw new java.io.UncheckedIOException(ex);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
        }
    }

    /** A request to the dashboard as this user. */
    public HttpRequest.Builder request(String path) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(root + path)).timeout(Duration.ofSeconds(20));
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return request;
    }

    /** The client, for streams. */
    public HttpClient client() {
        return http;
    }

    /**
     * An answer.
     *
     * @param status its HTTP status
     * @param headers its headers
     * @param body its body as text
     */
    public record Reply(int status, Map<String, List<String>> headers, String body) {

        @SuppressWarnings("unchecked")
        public Map<String, Object> map() {
            return JSON.readValue(body, Map.class);
        }

        @SuppressWarnings("unchecked")
        public List<Map<String, Object>> list() {
            return JSON.readValue(body, List.class);
        }

        public @Nullable String header(String name) {
            return headers.entrySet().stream().filter(entry -> entry.getKey().equalsIgnoreCase(name)).findFirst()
                    .map(entry -> entry.getValue().get(0)).orElse(null);
        }
    }
}
