package dev.taskqueue.policies;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import dev.taskqueue.TaskQueueOperations;
import dev.taskqueue.client.DefaultTaskQueueOperations;
import dev.taskqueue.internal.MessageCodec;
import dev.taskqueue.internal.TaskCatalog;
import dev.taskqueue.internal.TaskRegistry;
import dev.taskqueue.redis.RedisStores;
import dev.taskqueue.redis.RedisConnections;
import io.lettuce.core.RedisURI;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code java -Xmx32m ... SmallHeapRequeue <port> <threads>}: requeues every dead letter of queue {@code default} of
 * the Redis at that port from several threads at once, as concurrent operators do, then prints
 * {@code requeued <n>} or {@code failed <exception>}.
 */
public final class SmallHeapRequeue {

    private SmallHeapRequeue() {
    }

    public static void main(String[] args) throws Exception {
        int threads = Integer.parseInt(args[1]);
        try (RedisConnections connections = RedisConnections.create(RedisURI.create("127.0.0.1",
                Integer.parseInt(args[0])));
                RedisStores stores = new RedisStores(connections, "taskqueue")) {
            JsonMapper mapper = JsonMapper.builder().build();
            TaskQueueOperations operations = new DefaultTaskQueueOperations(stores.admin(), new MessageCodec(mapper),
                    TaskCatalog.local(new TaskRegistry(mapper, "default"), mapper));
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            List<Future<Integer>> requeues = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                requeues.add(pool.submit(() -> operations.requeueDeadLetters("default")));
            }
            int requeued = 0;
            try {
                for (Future<Integer> requeue : requeues) {
                    requeued += requeue.get(60, TimeUnit.SECONDS);
                }
                System.out.println("requeued " + requeued);
            }
            catch (ExecutionException ex) {
                System.out.println("failed " + ex.getCause());
            }
            pool.shutdownNow();
        }
        System.exit(0);
    }
}
