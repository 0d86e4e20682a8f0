package dev.taskqueue.celery;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import dev.taskqueue.celery.python.PythonCelery;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * The strongest proof: Python's own Celery (the system's {@code python3-celery}) inspects and controls a Java worker
 * and follows its events. Skipped, loudly, where Python Celery is missing, except on CI ({@code CI=true}), where it
 * fails.
 */
class CeleryEventsAndControlPythonTest {

    private static final String NODE = "w-java@test";

    /** The Python with Celery (skips, or fails with CI=true, when there is none). */
    private static String interpreter;

    @BeforeAll
    static void needsPythonCelery() {
        interpreter = PythonCelery.require().python();
    }

    @Test
    void pythonInspectsAndRevokesOnTheJavaWorker() throws Exception {
        try (CeleryTestRedis redis = new CeleryTestRedis(13)) {
            FakeCeleryNode node = new FakeCeleryNode(NODE, Instant.now());
            node.active.add(new CeleryNode.ActiveTask("t-1", "proj.add", "[3, 4]", "{}", "celery", Instant.now(),
                    null, 0));
            CeleryRemoteControl control = new CeleryRemoteControl(redis.redis, node, new AtomicLong(), "127.0.0.1",
                    6379, Clock.systemUTC());
            control.start();
            try {
                JsonNode printed = lastJsonLine(python("""
                        import json, sys
                        from celery import Celery
                        app = Celery(broker=sys.argv[1])
                        inspect = app.control.inspect(timeout=2)
                        ping = inspect.ping()
                        active = inspect.active()
                        app.control.revoke('t-9')
                        print(json.dumps({'ping': ping, 'active': active}))
                        """, Duration.ofSeconds(30), redis.url()));
                assertThat(printed.get("ping")).isEqualTo(CeleryJson.MAPPER.readTree(
                        "{\"" + NODE + "\": {\"ok\": \"pong\"}}"));
                JsonNode active = printed.get("active").get(NODE);
                assertThat(active).hasSize(1);
                assertThat(active.get(0).get("id").asString()).isEqualTo("t-1");
                assertThat(active.get(0).get("args")).isEqualTo(CeleryJson.MAPPER.readTree("[3, 4]"));
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
                while (!node.isRevoked("t-9") && System.nanoTime() < deadline) {
                    Thread.sleep(20);
                }
                assertThat(node.revokedIds()).containsExactly("t-9");
            }
            finally {
                control.close();
            }
        }
    }

    @Test
    void pythonsEventReceiverFollowsTheJavaWorker() throws Exception {
        try (CeleryTestRedis redis = new CeleryTestRedis(14)) {
            FakeCeleryNode node = new FakeCeleryNode(NODE, Instant.now());
            CeleryEventSender sender = new CeleryEventSender(redis.redis, node, new AtomicLong(), true,
                    Duration.ofMillis(500), Clock.systemDefaultZone());
            Process python = start("""
                    import json, sys, threading, time
                    from celery import Celery
                    app = Celery(broker=sys.argv[1])
                    state = app.events.State()
                    seen, alive = [], []
                    def on_event(event):
                        seen.append(event['type'])
                        state.event(event)
                        if event['type'] == 'worker-heartbeat':
                            alive.append(state.workers[event['hostname']].alive)
                    with app.connection() as connection:
                        receiver = app.events.Receiver(connection, handlers={'*': on_event})
                        threading.Thread(target=receiver.capture, kwargs={'wakeup': False}, daemon=True).start()
                        time.sleep(1)
                        print('READY', flush=True)
                        time.sleep(3)
                        worker = state.workers.get(sys.argv[2])
                        task = state.tasks.get('t-1')
                        print(json.dumps({'types': sorted(set(seen)), 'alive': alive,
                                          'sw_ident': worker.sw_ident if worker else None,
                                          'task': [task.name, task.state, task.result, task.worker.hostname]
                                          if task else None}), flush=True)
                    """, redis.url(), NODE);
            List<String> lines = new ArrayList<>();
            BlockingQueue<String> output = lines(python);
            try {
                awaitLine(output, lines, "READY", Duration.ofSeconds(20));
                sender.start();
                sender.taskReceived("t-1", "proj.add", "(3, 4)", "{}", "t-1", null, 0, null, null);
                sender.taskStarted("t-1");
                sender.taskSucceeded("t-1", "7", 0.25);
                Thread.sleep(1200); // two heartbeats
                sender.close();
                assertThat(python.waitFor(20, TimeUnit.SECONDS)).as("python exits").isTrue();
                awaitLine(output, lines, "{", Duration.ofSeconds(5));
            }
            finally {
                sender.close();
                python.destroyForcibly();
            }
            JsonNode printed = lastJsonLine(String.join("\n", lines));
            assertThat(printed.get("types")).isEqualTo(CeleryJson.MAPPER.readTree("""
                    ["task-received", "task-started", "task-succeeded", "worker-heartbeat", "worker-offline",
                     "worker-online"]"""));
            assertThat(printed.get("alive").get(0).asBoolean()).as("alive after a heartbeat").isTrue();
            assertThat(printed.get("sw_ident").asString()).isEqualTo("java-celery");
            assertThat(printed.get("task")).isEqualTo(CeleryJson.MAPPER.readTree(
                    "[\"proj.add\", \"SUCCESS\", \"7\", \"" + NODE + "\"]"));
        }
    }

    private static Process start(String script, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(interpreter, "-c", script));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().put("PYTHONUNBUFFERED", "1");
        return builder.start();
    }

    /** Runs a script to its end (killed after {@code timeout}) and returns what it printed, stderr included. */
    private static String python(String script, Duration timeout, String... args) throws Exception {
        Process python = start(script, args);
        List<String> lines = new ArrayList<>();
        BlockingQueue<String> output = lines(python);
        try {
            if (!python.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                fail("python did not finish within " + timeout + ": " + drain(output, lines));
            }
        }
        finally {
            python.destroyForcibly();
        }
        Thread.sleep(100); // the reader takes the last lines
        String printed = drain(output, lines);
        assertThat(python.exitValue()).as("python's exit code; it printed:%n%s", printed).isZero();
        return printed;
    }

    /** The process's output, line by line, read on a thread of its own so that the pipe never fills up. */
    private static BlockingQueue<String> lines(Process process) {
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        Thread pump = new Thread(() -> {
            try (BufferedReader reader = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                    lines.add(line);
                }
            }
            catch (IOException ex) {
                lines.add("(output lost: " + ex + ")");
            }
        }, "python-output");
        pump.setDaemon(true);
        pump.start();
        return lines;
    }

    private static void awaitLine(BlockingQueue<String> output, List<String> lines, String prefix, Duration wait)
            throws InterruptedException {
        long deadline = System.nanoTime() + wait.toNanos();
        for (long left = wait.toNanos(); left > 0; left = deadline - System.nanoTime()) {
            String line = output.poll(left, TimeUnit.NANOSECONDS);
            if (line != null) {
                lines.add(line);
                if (line.startsWith(prefix)) {
                    return;
                }
            }
        }
        fail("python printed no line starting with '" + prefix + "' within " + wait + ":\n" + String.join("\n",
                lines));
    }

    private static String drain(BlockingQueue<String> output, List<String> lines) {
        output.drainTo(lines);
        return String.join("\n", lines);
    }

    private static JsonNode lastJsonLine(String printed) {
        List<String> json = printed.lines().filter(line -> line.startsWith("{")).toList();
        assertThat(json).as("a JSON line in python's output:%n%s", printed).isNotEmpty();
        return CeleryJson.MAPPER.readTree(json.get(json.size() - 1));
    }
}
