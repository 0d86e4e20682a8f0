package dev.taskqueue.dashboard.browser;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A small W3C WebDriver client over {@code java.net.http}, enough for the dashboard's tests (the project does not
 * depend on Selenium):
 * <ol>
 * <li>starts chromedriver on a free loopback port and waits (bounded) until it answers {@code /status};</li>
 * <li>opens a session of headless Chromium ({@code --headless=new --no-sandbox --disable-gpu});</li>
 * <li>navigates, finds elements by CSS selector, clicks, types, runs scripts, takes screenshots;</li>
 * <li>on {@link #close()} ends the session and stops chromedriver, which stops the browser.</li>
 * </ol>
 * Every call has a timeout, so a hung browser fails a test instead of hanging the build.
 */
final class WebDriverClient implements AutoCloseable {

    /** The key under which W3C WebDriver returns an element reference. */
    private static final String ELEMENT = "element-6066-11e4-a52e-4f735466cecf";

    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(30);

    private static final Duration START_TIMEOUT = Duration.ofSeconds(20);

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final Process process;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final URI server;

    private final String session;

    private WebDriverClient(Process process, URI server, String session) {
        this.process = process;
        this.server = server;
        this.session = session;
    }

    /** Starts chromedriver and a headless Chromium with a window of the given size; its log goes to {@code logFile}. */
    static WebDriverClient start(Chromium chromium, int width, int height, Path logFile) throws IOException {
        int port = freePort();
        Files.createDirectories(logFile.getParent());
        Process process = new ProcessBuilder(chromium.driver().toString(), "--port=" + port,
                "--allowed-ips=127.0.0.1", "--log-path=" + logFile).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        URI server = URI.create("http://127.0.0.1:" + port);
        try {
            awaitReady(process, server);
            Map<String, Object> options = Map.of("binary", chromium.browser().toString(), "args", List.of(
                    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    "--window-size=" + width + "," + height, "--force-device-scale-factor=1", "--lang=en-GB",
                    "--no-first-run", "--disable-extensions", "--disable-background-networking"));
            Map<String, Object> capabilities = Map.of("capabilities", Map.of("alwaysMatch", Map.of(
                    "browserName", "chrome", "goog:chromeOptions", options,
                    "goog:loggingPrefs", Map.of("browser", "ALL"),
                    "timeouts", Map.of("script", 20_000, "pageLoad", 30_000, "implicit", 0))));
            JsonNode value = call(HttpClient.newHttpClient(), "POST", server.resolve("/session"), capabilities);
            return new WebDriverClient(process, server, value.path("sessionId").asString());
        }
        catch (IOException | RuntimeException ex) {
            process.destroyForcibly();
            throw ex;
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static void awaitReady(Process process, URI server) throws IOException {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        Instant deadline = Instant.now().plus(START_TIMEOUT);
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new IOException("chromedriver exited with " + process.exitValue() + " at start: see its log");
            }
            try {
                JsonNode value = call(client, "GET", server.resolve("/status"), null);
                if (value.path("ready").asBoolean(false)) {
                    return;
                }
            }
            catch (IOException notYet) {
                // Not listening yet.
            }
            sleep(Duration.ofMillis(100));
        }
        throw new IOException("chromedriver did not answer on " + server + " within " + START_TIMEOUT);
    }

    /** Opens a URL and waits for its load event. */
    void navigate(String url) {
        command("POST", "/url", Map.of("url", url));
    }

    String currentUrl() {
        return command("GET", "/url", null).asString();
    }

    /** The first element matching a CSS selector, or null. */
    @Nullable Element find(String css) {
        List<Element> all = findAll(css);
        return all.isEmpty() ? null : all.get(0);
    }

    List<Element> findAll(String css) {
        JsonNode value = command("POST", "/elements", Map.of("using", "css selector", "value", css));
        List<Element> elements = new ArrayList<>();
        for (JsonNode node : value) {
            elements.add(new Element(node.path(ELEMENT).asString()));
        }
        return elements;
    }

    /** Runs a script in the page ({@code arguments[0]}... are the args, elements as {@link Element}s). */
    @Nullable Object script(String script, Object... args) {
        return toJava(command("POST", "/execute/sync", Map.of("script", script, "args", arguments(args))));
    }

    /**
     * Runs an asynchronous script: it ends by calling {@code arguments[arguments.length - 1](result)}.
     */
    @Nullable Object asyncScript(String script, Object... args) {
        return toJava(command("POST", "/execute/async", Map.of("script", script, "args", arguments(args))));
    }

    /** Presses keys on whatever has the focus, one after the other (W3C actions), as a user typing would. */
    void pressKeys(String keys) {
        List<Map<String, String>> strokes = new ArrayList<>();
        keys.codePoints().mapToObj(Character::toString).forEach((key) -> {
            strokes.add(Map.of("type", "keyDown", "value", key));
            strokes.add(Map.of("type", "keyUp", "value", key));
        });
        command("POST", "/actions", Map.of("actions", List.of(Map.of("type", "key", "id", "keyboard",
                "actions", strokes))));
        command("DELETE", "/actions", null);
    }

    /** The page's current HTML. */
    String pageSource() {
        return command("GET", "/source", null).asString();
    }

    /** A PNG of the viewport. */
    byte[] screenshot() {
        return Base64.getDecoder().decode(command("GET", "/screenshot", null).asString());
    }

    /** Forgets the cookies of the current site (the way to log out without a logout page). */
    void deleteCookies() {
        command("DELETE", "/cookie", null);
    }

    /** The browser's console messages since the last call (chromedriver's log extension). */
    List<String> consoleMessages() {
        List<String> messages = new ArrayList<>();
        for (JsonNode entry : command("POST", "/se/log", Map.of("type", "browser"))) {
            messages.add(entry.path("level").asString() + " " + entry.path("message").asString());
        }
        return messages;
    }

    @Override
    public void close() {
        try {
            command("DELETE", "", null);
        }
        catch (RuntimeException ignored) {
            // The browser may be gone already; stopping chromedriver below ends it anyway.
        }
        finally {
            process.destroy();
            try {
                if (!process.waitFor(5, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            }
            catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                process.destroyForcibly();
            }
        }
    }

    /** An element of the page, by its WebDriver reference. */
    final class Element {

        private final String id;

        Element(String id) {
            this.id = id;
        }

        void click() {
            command("POST", "/element/" + id + "/click", Map.of());
        }

        /** Types text; WebDriver's special keys are characters such as {@code \uE007} (Enter). */
        void sendKeys(String text) {
            command("POST", "/element/" + id + "/value", Map.of("text", text));
        }

        void clear() {
            command("POST", "/element/" + id + "/clear", Map.of());
        }

        String text() {
            return command("GET", "/element/" + id + "/text", null).asString();
        }

        @Nullable String attribute(String name) {
            JsonNode value = command("GET", "/element/" + id + "/attribute/" + name, null);
            return value.isNull() ? null : value.asString();
        }

        boolean displayed() {
            return command("GET", "/element/" + id + "/displayed", null).asBoolean(false);
        }

        Map<String, String> reference() {
            return Map.of(ELEMENT, id);
        }
    }

    private List<Object> arguments(Object... args) {
        List<Object> list = new ArrayList<>();
        for (Object arg : args) {
            list.add(arg instanceof Element element ? element.reference() : arg);
        }
        return list;
    }

    private @Nullable Object toJava(JsonNode value) {
        if (value.isObject() && value.has(ELEMENT)) {
            return new Element(value.path(ELEMENT).asString());
        }
        return JSON.convertValue(value, Object.class);
    }

    private JsonNode command(String method, String path, @Nullable Object body) {
        try {
            return call(http, method, server.resolve("/session/" + session + path), body);
        }
        catch (IOException ex) {
            throw new IllegalStateException("WebDriver " + method + " " + path + " failed: " + ex.getMessage(), ex);
        }
    }

    private static JsonNode call(HttpClient client, String method, URI uri, @Nullable Object body) throws IOException {
        HttpRequest.BodyPublisher publisher = body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body));
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(CALL_TIMEOUT)
                .header("Content-Type", "application/json; charset=utf-8").method(method, publisher).build();
        HttpResponse<String> response;
        try {
            response = client.send(request, HttpResponse.BodyHandlers.ofString());
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", ex);
        }
        JsonNode answer = response.body().isEmpty() ? JSON.createObjectNode() : JSON.readTree(response.body());
        JsonNode value = answer.path("value");
        if (response.statusCode() >= 400) {
            throw new WebDriverException(value.path("error").asString() + ": " + value.path("message").asString());
        }
        return value;
    }

    static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", ex);
        }
    }

    /** An error that the WebDriver server answered ("no such element", "stale element reference", ...). */
    static final class WebDriverException extends RuntimeException {

        WebDriverException(String message) {
            super(message);
        }
    }
}
