package dev.taskqueue.benchmarks;

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
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import dev.taskqueue.TaskCall;
import dev.taskqueue.TaskOptions;
import dev.taskqueue.worker.Worker;

/**
 * How fast the dashboard answers over a large deployment: {@code manyQueues} queues holding {@code memoryTasks}
 * pending tasks between them (full sizes: 100 queues, 1,000,000 tasks), with scheduled tasks, dead letters and
 * failures beside them.
 * <ol>
 * <li>fills Redis as producers would ({@code submitAll}), and lets a worker fail tasks into the dead letters;</li>
 * <li>starts the sample application's jar (a separate JVM, as an operator's instance is) on that Redis, with its
 * dashboard for loopback requests and no worker of its own;</li>
 * <li>asks every page's API call of the dashboard {@value #SAMPLES} times after {@value #WARMUP} unmeasured calls,
 * and reports each one's median and 95th percentile against the 200 ms target.</li>
 * </ol>
 * The jar is {@code sample-app/target/sample-app.jar} under the working directory or its parent, or
 * {@code -Dtaskqueue.bench.dashboard-jar=...}; build it with {@code ./mvnw -pl sample-app -am package -DskipTests}.
 */
final class DashboardPagesScenario extends Scenario {

    /** Where the built sample application is looked for, unless a system property names it. */
    static final String JAR_PROPERTY = "taskqueue.bench.dashboard-jar";

    private static final int WARMUP = 5;

    private static final int SAMPLES = 20;

    private static final double TARGET_MILLIS = 200;

    private static final int SCHEDULED = 1_000;

    private static final int FAILED = 500;

    private static final Pattern FIRST_ID = Pattern.compile("\"id\"\\s*:\\s*\"([^\"]+)\"");

    DashboardPagesScenario() {
        super("dashboard-pages", "dashboard API answer times with many queues and a deep backlog (needs the built "
                + "sample-app jar)");
    }

    @Override
    boolean runsOnlyWhenNamed() {
        return true;
    }

    @Override
    Duration timeLimit(Sizes sizes) {
        return Duration.ofSeconds(180 + sizes.memoryTasks() / 5_000);
    }

    @Override
    void run(Bench bench, Deadline deadline, Findings out) throws Exception {
        Path jar = sampleJar();
        Sizes sizes = bench.sizes;
        List<String> queues = Bench.queues(Math.max(2, sizes.manyQueues()));
        try (Engine engine = bench.engine()) {
            long filling = System.nanoTime();
            Bench.prefill(engine.client, TaskCall.of(BenchTasks::noopStored), queues, sizes.memoryTasks(), deadline);
            List<TaskCall<?>> later = new ArrayList<>();
            for (int i = 0; i < SCHEDULED; i++) {
                later.add(TaskCall.of(BenchTasks::noop).withOptions(TaskOptions.defaults().queue(queues.get(0))
                        .countdown(Duration.ofHours(1 + i))));
            }
            engine.client.submitAll(later);
            failInto(engine, "failing", deadline);
            out.note(String.format("filled %,d pending over %d queues, %,d scheduled, %,d dead in %.1f s",
                    sizes.memoryTasks(), queues.size(), SCHEDULED, FAILED, (System.nanoTime() - filling) / 1e9));
        }
        int port = freeLoopbackPort();
        Path log = Files.createTempFile("bench-dashboard", ".log");
        Process app = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:+UseParallelGC", "-Xmx512m", "-jar", jar.toString(), "--server.address=127.0.0.1",
                "--server.port=" + port, "--spring.data.redis.host=127.0.0.1",
                "--spring.data.redis.port=" + bench.redis.port(), "--taskqueue.key-prefix=" + Engine.PREFIX,
                "--taskqueue.worker.enabled=false", "--taskqueue.scheduler.enabled=false",
                "--taskqueue.dashboard.enabled=true").redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            String base = "http://127.0.0.1:" + port + "/taskqueue";
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            deadline.await(() -> answers(http, base + "/api/me"), 200, "the sample application starting (log: "
                    + log + ")");
            String q = queues.get(0);
            String pendingId = firstId(get(http, base + "/api/queues/" + q + "/tasks?state=pending&count=1"));
            Map<String, String> pages = new LinkedHashMap<>();
            pages.put("shell", "/");
            pages.put("overview.hour", "/api/overview?range=hour");
            pages.put("overview.week", "/api/overview?range=week");
            pages.put("queues", "/api/queues");
            pages.put("queue.day", "/api/queues/" + q + "?range=day");
            for (String state : List.of("pending", "scheduled", "running", "retrying", "dead", "results")) {
                pages.put("queue.tab." + state, "/api/queues/" + q + "/tasks?state=" + state + "&count=50");
            }
            pages.put("queue.dead.failing", "/api/queues/failing/tasks?state=dead&count=50");
            pages.put("task.pending", "/api/tasks/" + pendingId);
            pages.put("task.pending.in-queue", "/api/tasks/" + pendingId + "?queue=" + q);
            pages.put("search", "/api/search?q=" + pendingId);
            pages.put("failures", "/api/failures?count=50");
            pages.put("failures.search", "/api/failures?text=failure%2042&count=50");
            pages.put("workers", "/api/workers");
            pages.put("schedules", "/api/schedules");
            pages.put("catalog", "/api/catalog");
            pages.put("audit", "/api/audit");
            double worst = 0;
            for (Map.Entry<String, String> page : pages.entrySet()) {
                deadline.check("timing " + page.getKey());
                double[] millis = time(http, base + page.getValue());
                double p50 = percentile(millis, 0.50);
                double p95 = percentile(millis, 0.95);
                worst = Math.max(worst, p95);
                out.add(Figure.millis("dashboard." + page.getKey() + ".p50", "GET " + page.getValue() + " median",
                        p50));
                out.add(Figure.millis("dashboard." + page.getKey() + ".p95", "GET " + page.getValue() + " p95", p95)
                        .target(Figure.Target.atMost(TARGET_MILLIS)));
            }
            out.add(Figure.millis("dashboard.worst.p95", "slowest page's p95", worst)
                    .target(Figure.Target.atMost(TARGET_MILLIS)));
        }
        finally {
            app.destroy();
            if (!app.waitFor(10, TimeUnit.SECONDS)) {
                app.destroyForcibly();
            }
        }
    }

    /** Submits {@value #FAILED} tasks that fail, and runs them until each is a dead letter. */
    private static void failInto(Engine engine, String queue, Deadline deadline) {
        List<TaskCall<?>> failing = new ArrayList<>();
        for (int i = 0; i < FAILED; i++) {
            failing.add(TaskCall.of(BenchTasks::fail, i).withOptions(TaskOptions.defaults().queue(queue)));
        }
        engine.client.submitAll(failing);
        Worker worker = engine.startWorker(List.of(queue));
        try {
            deadline.await(() -> engine.unfinished(List.of(queue)) == 0, 50, "failing tasks into the dead letters");
        }
        finally {
            engine.stopWorker(worker);
        }
    }

    private static boolean answers(HttpClient http, String url) {
        try {
            return http.send(request(url), HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        }
        catch (IOException ex) {
            return false;
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static String get(HttpClient http, String url) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(request(url), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new Failed("GET " + url + " answered " + response.statusCode() + ": " + response.body());
        }
        return response.body();
    }

    /** {@value #WARMUP} calls, then the milliseconds of {@value #SAMPLES}, each read to its end. */
    private static double[] time(HttpClient http, String url) throws IOException, InterruptedException {
        for (int i = 0; i < WARMUP; i++) {
            get(http, url);
        }
        double[] millis = new double[SAMPLES];
        for (int i = 0; i < SAMPLES; i++) {
            long start = System.nanoTime();
            get(http, url);
            millis[i] = (System.nanoTime() - start) / 1e6;
        }
        return millis;
    }

    private static HttpRequest request(String url) {
        return HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30)).GET().build();
    }

    private static String firstId(String json) {
        Matcher matcher = FIRST_ID.matcher(json);
        if (!matcher.find()) {
            throw new Failed("no task in the first page of pending tasks: " + json);
        }
        return matcher.group(1);
    }

    private static double percentile(double[] values, double p) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p * sorted.length) - 1)];
    }

    private static int freeLoopbackPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static Path sampleJar() {
        String named = System.getProperty(JAR_PROPERTY);
        List<Path> candidates = named != null ? List.of(Path.of(named))
                : List.of(Path.of("sample-app/target/sample-app.jar"), Path.of("../sample-app/target/sample-app.jar"));
        for (Path candidate : candidates) {
            if (Files.isRegularFile(candidate)) {
                return candidate.toAbsolutePath();
            }
        }
        throw new Failed("the dashboard-pages scenario measures the sample application's dashboard, and found no "
                + "built jar at " + candidates + ": build it with ./mvnw -pl sample-app -am package -DskipTests, or "
                + "name it with -D" + JAR_PROPERTY + "=<path>");
    }
}
