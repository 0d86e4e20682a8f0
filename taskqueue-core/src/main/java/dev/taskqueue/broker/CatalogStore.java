package dev.taskqueue.broker;

import java.util.Collection;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;

/**
 * Where workers publish the tasks they declare, shared by every instance (the task catalog). Declarations travel
 * as JSON text that the store keeps as it is; each entry remembers which instances published it and when.
 * Entries are bounded in number and expire when no instance has published them for the retention.
 */
public interface CatalogStore {

    /**
     * Records that {@code instanceId} declares these tasks, now (on the store's clock).
     *
     * @param declarations task name to its declaration's JSON
     * @param retentionMillis how long an entry no instance publishes again is kept
     * @param forgetInstancesAfterMillis instances of these entries silent longer than this are forgotten (0: keep)
     * @return the names the store refused because it holds its maximum number of tasks
     */
    List<String> publish(String instanceId, Map<String, String> declarations, long retentionMillis,
            long forgetInstancesAfterMillis);

    /** Forgets that {@code instanceId} declares these tasks (it stops); the entries themselves stay. */
    void withdraw(String instanceId, Collection<String> names);

    /** One entry, or null when no instance published it (or it expired). */
    @Nullable
    Entry find(String name);

    /** Every entry, by name. */
    Map<String, Entry> all();

    /**
     * A published declaration.
     *
     * @param json the declaration as its publisher wrote it
     * @param lastSeen when an instance last published it, epoch milliseconds
     * @param instances each instance that published it, with when it last did
     */
    record Entry(String json, long lastSeen, Map<String, Long> instances) {
    }
}
