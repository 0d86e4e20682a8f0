package dev.taskqueue.celery;

import java.util.ArrayList;
import java.util.List;

/**
 * Every Redis key and channel name of Celery's protocol, built in one place, as kombu's Redis transport and Celery's
 * Redis result backend name them (and the few keys that only Java workers use, under {@code taskqueue-celery:}).
 *
 * <p>Kombu's separator is the two bytes {@code 0x06 0x16}; a priority step other than 0 is a list of its own,
 * {@code <queue><sep><step>}. Every Python peer must use the same separator and steps (kombu's defaults).
 */
final class CeleryKeys {

    /** Kombu's separator in priority list names and binding members. */
    static final String SEP = "\u0006\u0016";

    /** Kombu's default {@code priority_steps}: a priority goes to the largest step not above it. */
    static final int[] PRIORITY_STEPS = { 0, 3, 6, 9 };

    /** The hash of every message a consumer holds: delivery tag to {@code [envelope, exchange, routing_key]}. */
    static final String UNACKED = "unacked";

    /** Delivery tag scored by the Unix time it was delivered (float seconds). */
    static final String UNACKED_INDEX = "unacked_index";

    /** The lock kombu's visibility-timeout sweep takes (a redis-py lock). */
    static final String UNACKED_MUTEX = "unacked_mutex";

    /** Java workers alive: node name scored by the Unix millisecond its liveness lapses. */
    static final String JAVA_WORKERS = "taskqueue-celery:workers";

    /** Countdown and ETA messages a Java worker took before they were due: envelope scored by due millisecond. */
    static final String PARKED = "taskqueue-celery:parked";

    /** The counter that makes each Java delivery's tag unique. */
    static final String TAGS = "taskqueue-celery:tags";

    /** Task ids revoked, scored by the Unix millisecond the revocation lapses: Java workers read them at start. */
    static final String REVOKED = "taskqueue-celery:revoked";

    private CeleryKeys() {
    }

    /** The list a message of this priority goes to (Celery's 0..9; 0, 1 and 2 share the bare queue name). */
    static String queueKey(String queue, int priority) {
        int step = step(priority);
        return step == 0 ? queue : queue + SEP + step;
    }

    static int step(int priority) {
        int clamped = Math.max(0, Math.min(9, priority));
        int step = 0;
        for (int candidate : PRIORITY_STEPS) {
            if (candidate <= clamped) {
                step = candidate;
            }
        }
        return step;
    }

    /**
     * The lists a consumer pops, in kombu's order: every queue's step 0 first, then every queue's step 3, and so on
     * (on Redis, Celery's priority 0 is served first).
     */
    static List<String> consumeOrder(List<String> queues) {
        List<String> keys = new ArrayList<>(queues.size() * PRIORITY_STEPS.length);
        for (int step : PRIORITY_STEPS) {
            for (String queue : queues) {
                keys.add(queueKey(queue, step));
            }
        }
        return keys;
    }

    /** The set of an exchange's bindings. */
    static String bindings(String exchange) {
        return "_kombu.binding." + exchange;
    }

    /** A binding's member: {@code routing_key + sep + pattern + sep + queue}, the pattern empty on Redis. */
    static String binding(String routingKey, String queue) {
        return routingKey + SEP + SEP + queue;
    }

    /** A task's result, also the channel its waiters subscribe to. */
    static String result(String taskId) {
        return "celery-task-meta-" + taskId;
    }

    /** A group's saved result. */
    static String group(String groupId) {
        return "celery-taskset-meta-" + groupId;
    }

    /** A chord's parts: each header task's {@code [1, id, state, result]}, scored by its position. */
    static String chordParts(String groupId) {
        return group(groupId) + ".j";
    }

    /** A chord's size, written by whoever publishes its last header task. */
    static String chordSize(String groupId) {
        return group(groupId) + ".s";
    }

    /** A chord's count of parts added after it was sent. */
    static String chordExtra(String groupId) {
        return group(groupId) + ".t";
    }

    /** A fanout exchange's pub/sub channel: {@code /<db>.<exchange>[/<routing key>]}. */
    static String fanout(int database, String exchange, String routingKey) {
        return "/" + database + "." + exchange + (routingKey.isEmpty() ? "" : "/" + routingKey);
    }

    /** The list a remote-control reply goes to. */
    static String replyQueue(String oid) {
        return oid + ".reply.celery.pidbox";
    }

    /** The delivery tags a Java worker holds, so that its messages come back within seconds if it dies. */
    static String heldBy(String node) {
        return "taskqueue-celery:held:" + node;
    }
}
