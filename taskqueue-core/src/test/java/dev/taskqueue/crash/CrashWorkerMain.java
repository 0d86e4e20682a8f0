package dev.taskqueue.crash;

import java.time.Clock;
import java.util.List;

import dev.taskqueue.event.TaskEventListener;
import dev.taskqueue.internal.MessageCodec;
import dev.taskqueue.internal.TaskRegistry;
import dev.taskqueue.redis.RedisBroker;
import dev.taskqueue.redis.RedisConnections;
import dev.taskqueue.worker.Worker;
import dev.taskqueue.worker.WorkerSettings;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import tools.jackson.databind.json.JsonMapper;

/**
 * A worker process for the crash test: {@code CrashWorkerMain <redis port> <worker id> <concurrency>}. Runs with
 * the production defaults (heartbeat 1 s, liveness 5 s) and prints {@code READY} once it consumes. The test kills
 * it with SIGKILL.
 */
public final class CrashWorkerMain {

    private CrashWorkerMain() {
    }

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        String workerId = args[1];
        int concurrency = Integer.parseInt(args[2]);
        RedisClient client = RedisClient.create(RedisURI.create("127.0.0.1", port));
        JsonMapper mapper = JsonMapper.builder().build();
        TaskRegistry registry = new TaskRegistry(mapper, "default");
        registry.register("crashTasks", new CrashTasks(workerId, client), CrashTasks.class);
        RedisConnections connections = RedisConnections.using(client, "127.0.0.1:" + port);
        RedisBroker broker = new RedisBroker(connections, "taskqueue", RedisBroker.DeadLetterPolicy.DEFAULT);
        Worker worker = new Worker(broker, registry, new MessageCodec(mapper),
                WorkerSettings.builder().workerId(workerId).concurrency(concurrency).build(),
                TaskEventListener.of(List.of()), Clock.systemUTC());
        worker.start();
        System.out.println("READY " + worker.id());
        System.out.flush();
        Thread.currentThread().join(); // until killed
    }
}
