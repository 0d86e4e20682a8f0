package dev.taskqueue.celery;

import java.time.Duration;
import java.util.List;

import tools.jackson.databind.node.ObjectNode;

/**
 * Sends Celery's remote-control broadcasts, as {@code app.control} does: a request published on the
 * {@code celery.pidbox} fanout channel, {@code /<db>.celery.pidbox}, that every worker (Python or Java) hears.
 * Only requests that want no reply are sent from Java (a revocation).
 */
final class CeleryControl {

    private final CeleryRedis redis;

    CeleryControl(CeleryRedis redis) {
        this.redis = redis;
    }

    /**
     * Celery's {@code revoke}: workers will not run these tasks; with {@code terminate}, those running are stopped (a
     * Python worker signals the process with SIGTERM, a Java worker interrupts the task's thread). Java workers that
     * start within {@code remembered} know of it too.
     */
    void revoke(List<String> taskIds, boolean terminate, Duration remembered) {
        // Celery keeps revocations in its workers' memory only: a Java worker started later reads them here.
        long until = System.currentTimeMillis() + remembered.toMillis();
        for (String taskId : taskIds) {
            redis.commands().zadd(CeleryKeys.REVOKED, (double) until, taskId);
        }
        ObjectNode arguments = CeleryJson.MAPPER.createObjectNode();
        arguments.set("task_id", CeleryJson.MAPPER.valueToTree(taskIds));
        arguments.put("terminate", terminate);
        arguments.put("signal", "SIGTERM");
        broadcast("revoke", arguments);
    }

    /** Publishes a request to every worker; it is heard by those listening now (pub/sub keeps nothing). */
    void broadcast(String method, ObjectNode arguments) {
        ObjectNode body = CeleryJson.MAPPER.createObjectNode();
        body.put("method", method);
        body.set("arguments", arguments);
        body.putNull("destination");
        body.putNull("pattern");
        body.putNull("matcher");
        ObjectNode headers = CeleryJson.MAPPER.createObjectNode();
        headers.put("clock", 1);
        headers.put("expires", 0);
        String envelope = CeleryEnvelopes.write(body, headers, "celery.pidbox", "", 2);
        redis.await(redis.commands().publish(CeleryKeys.fanout(redis.database(), "celery.pidbox", ""), envelope),
                "broadcast Celery's " + method);
    }
}
