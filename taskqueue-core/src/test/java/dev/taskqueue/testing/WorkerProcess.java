package dev.taskqueue.testing;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import dev.taskqueue.event.TaskEventListener;
import dev.taskqueue.internal.Durations;
import dev.taskqueue.internal.MessageCodec;
import dev.taskqueue.client.ClientSettings;
import dev.taskqueue.client.DefaultTaskClient;
import dev.taskqueue.internal.TaskCatalog;
import dev.taskqueue.internal.TaskRegistry;
import dev.taskqueue.redis.RedisConnections;
import dev.taskqueue.redis.RedisStores;
import dev.taskqueue.worker.Worker;
import dev.taskqueue.worker.WorkerSettings;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import tools.jackson.databind.json.JsonMapper;

/**
 * A worker in a JVM of its own, for tests that kill workers or need several: it runs the production defaults
 * (heartbeat 1 s, liveness 5 s) on the shared test Redis, with one task bean whose class has a constructor
 * {@code (String workerId, RedisClient client)}.
 */
public final class WorkerProcess implements AutoCloseable {

    private final Process process;

    private WorkerProcess(Process process) {
        this.process = process;
    }

    /**
     * Starts {@code java ... WorkerProcess <port> <worker id> <concurrency> <task bean class>} and waits for it; a
     * concurrency of 0 keeps the engine's default (adapting).
     */
    public static WorkerProcess start(String workerId, int concurrency, Class<?> taskBean) throws IOException {
        return start(SharedRedis.port(), workerId, concurrency, taskBean);
    }

    /**
     * A worker on the Redis at {@code port}, with settings that differ from the production defaults, such as
     * {@code heartbeat-interval=2s}, {@code liveness-timeout=5s}, {@code poll-timeout=10s}.
     */
    public static WorkerProcess start(int port, String workerId, int concurrency, Class<?> taskBean,
            String... settings) throws IOException {
        return start(port, workerId, concurrency, taskBean, List.of(), settings);
    }

    /**
     * A worker whose JVM runs with these options, such as {@code -Xmx64m}, and with {@code settings} as above (and
     * {@code on-fatal-error=exit}).
     */
    public static WorkerProcess start(int port, String workerId, int concurrency, Class<?> taskBean,
            List<String> jvmOptions, String... settings) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        File log = Path.of("target", "worker-" + workerId + ".log").toFile();
        List<String> command = new ArrayList<>(List.of(java));
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), WorkerProcess.class.getName(),
                Integer.toString(port), workerId, Integer.toString(concurrency), taskBean.getName()));
        command.addAll(List.of(settings));
        Process process = new ProcessBuilder(command).redirectError(log).start();
        // Its output is read on a thread of its own, for as long as it runs (a child blocked on a full stdout pipe
        // would stall its worker); this thread waits for READY with a deadline, however silent the child is.
        CompletableFuture<Boolean> ready = new CompletableFuture<>();
        drain(new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8)), log,
                ready);
        try {
            if (ready.get(30, TimeUnit.SECONDS)) {
                return new WorkerProcess(process);
            }
            throw new IllegalStateException("the worker process exited; see " + log);
        }
        catch (TimeoutException | ExecutionException ex) {
            process.destroyForcibly();
            throw new IllegalStateException("the worker process did not start in 30 s; see " + log, ex);
        }
        catch (InterruptedException ex) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while the worker process started", ex);
        }
    }

    /** SIGSTOP: the process freezes, as in a long GC pause or a suspended VM; its sockets stay open. */
    public void pause() throws IOException, InterruptedException {
        signal("STOP");
    }

    /** SIGCONT: the frozen process goes on where it stopped. */
    public void resume() throws IOException, InterruptedException {
        signal("CONT");
    }

    private void signal(String name) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start();
        if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
            throw new IllegalStateException("kill -" + name + " " + process.pid() + " failed");
        }
    }

    /** Whether the process still runs. */
    public boolean isAlive() {
        return process.isAlive();
    }

    /** Waits up to {@code timeout} for the process to end by itself; its exit status, or empty if it still runs. */
    public OptionalInt awaitExit(Duration timeout) throws InterruptedException {
        return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)
                ? OptionalInt.of(process.exitValue()) : OptionalInt.empty();
    }

    /** SIGKILL on Linux and macOS: no shutdown hook, no hand-back. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws InterruptedException {
        kill();
    }

    /**
     * Reads the child's output until it ends, into its log file (its logs go to its standard output): completes
     * {@code ready} at READY, or with false if it ends first.
     */
    private static void drain(BufferedReader out, File log, CompletableFuture<Boolean> ready) {
        Thread drainer = new Thread(() -> {
            try (java.io.Writer file = new java.io.FileWriter(log, StandardCharsets.UTF_8, true)) {
                String line;
                while ((line = out.readLine()) != null) {
                    if (line.startsWith("READY")) {
                        ready.complete(true);
                    }
                    file.write(line);
                    file.write(System.lineSeparator());
                    file.flush();
                }
            }
            catch (IOException ex) {
                // the child is gone
            }
            ready.complete(false);
        }, "worker-process-stdout");
        drainer.setDaemon(true);
        drainer.start();
    }

    /** The child's main. */
    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        String workerId = args[1];
        int concurrency = Integer.parseInt(args[2]);
        RedisClient client = RedisClient.create(RedisURI.create("127.0.0.1", port));
        Object bean = Class.forName(args[3]).getConstructor(String.class, RedisClient.class).newInstance(workerId,
                client);
        JsonMapper mapper = JsonMapper.builder().build();
        TaskRegistry registry = new TaskRegistry(mapper, "default");
        registry.register("tasks", bean, bean.getClass());
        RedisStores stores = new RedisStores(RedisConnections.using(client, "127.0.0.1:" + port), "taskqueue");
        // Publishes its tasks to the catalog, so that the test's client (which declares none) can submit them.
        TaskCatalog catalog = new TaskCatalog(registry, stores.catalog(), mapper, Clock.systemUTC());
        MessageCodec codec = new MessageCodec(mapper);
        TaskEventListener listener = TaskEventListener.of(List.of());
        WorkerSettings.Builder settings = WorkerSettings.builder().workerId(workerId);
        if (concurrency > 0) {
            settings.concurrency(concurrency);
        }
        for (int i = 4; i < args.length; i++) {
            String name = args[i].substring(0, args[i].indexOf('='));
            if (name.equals("on-fatal-error")) {
                settings.onFatalError(WorkerSettings.OnFatalError.valueOf(args[i].substring(name.length() + 1)
                        .toUpperCase(Locale.ROOT)));
                continue;
            }
            Duration value = Durations.parse(args[i].substring(args[i].indexOf('=') + 1));
            switch (name) {
                case "heartbeat-interval" -> settings.heartbeatInterval(value);
                case "liveness-timeout" -> settings.livenessTimeout(value);
                case "poll-timeout" -> settings.pollTimeout(value);
                case "janitor-interval" -> settings.janitorInterval(value);
                default -> throw new IllegalArgumentException("unknown worker setting " + name);
            }
        }
        Worker worker = new Worker(stores.broker(), catalog, codec, settings.build(), listener, List.of(),
                DefaultTaskClient.workflowEngine(stores.broker(), stores.workflows(), catalog, codec,
                        ClientSettings.DEFAULTS, List.of(), listener, Clock.systemUTC()), Clock.systemUTC());
        worker.start();
        System.out.println("READY " + worker.id());
        System.out.flush();
        // Until killed, or until the test JVM that started it is gone (its end of stdin closes), at most an hour.
        Thread orphaned = new Thread(() -> {
            try {
                while (System.in.read() >= 0) {
                    // nothing is sent
                }
            }
            catch (IOException ex) {
                // the parent is gone all the same
            }
        });
        orphaned.setDaemon(true);
        orphaned.start();
        orphaned.join(TimeUnit.HOURS.toMillis(1));
        System.exit(0);
    }
}
