package dev.taskqueue.memory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

import dev.taskqueue.AmbiguousTaskIdException;
import dev.taskqueue.TaskError;
import dev.taskqueue.TaskInfo;
import dev.taskqueue.TaskState;
import dev.taskqueue.Unique;
import dev.taskqueue.broker.Broker;
import dev.taskqueue.broker.DeadLetter;
import dev.taskqueue.broker.DeadLetterRead;
import dev.taskqueue.broker.Delivery;
import dev.taskqueue.broker.OutgoingMessage;
import dev.taskqueue.broker.Outcome;
import dev.taskqueue.broker.QueueStats;
import dev.taskqueue.broker.ResultBackend;
import dev.taskqueue.broker.SubmitResult;
import dev.taskqueue.broker.TaskRecords;
import dev.taskqueue.broker.WorkerInfo;
import dev.taskqueue.internal.MessageCodec;
import dev.taskqueue.internal.StoredText;
import dev.taskqueue.schedule.LocalScheduleStore;
import org.jspecify.annotations.Nullable;

/**
 * A broker and result backend in this JVM's memory, with the same contract as Redis (leases, fencing,
 * redelivery, dead letters, delayed tasks, records with a TTL) but nothing shared between processes and nothing
 * kept across restarts. For tests and for trying things out ({@code taskqueue.broker=memory}).
 */
public final class InMemoryBroker implements Broker, ResultBackend {

    private static final List<String> CLAIM_ORDER = List.of("r", "9", "8", "7", "6", "5", "4", "3", "2", "1", "0");

    private final Clock clock;
    private final long deadLetterLimit;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition arrived = lock.newCondition();
    private final Map<String, MemoryQueue> queues = new TreeMap<>();
    private final Map<String, Record> records = new HashMap<>();
    private final Map<String, WorkerInfo> workers = new LinkedHashMap<>();
    private final Map<String, Long> lastSeen = new HashMap<>();
    /** Futures waiting for a task, by queue and id ({@link #key}); by id alone while no queue had the task. */
    private final Map<String, List<CompletableFuture<TaskInfo>>> waiters = new HashMap<>();
    private final List<Consumer<String>> wakeListeners = new CopyOnWriteArrayList<>();
    private final List<RevocationListener> revokeListeners = new CopyOnWriteArrayList<>();
    private final Set<String> wakeRequests = new java.util.HashSet<>();
    private final Map<String, UniqueHolder> uniques = new HashMap<>();
    private long nextEntry;

    public InMemoryBroker(Clock clock) {
        this(clock, 10_000);
    }

    public InMemoryBroker(Clock clock, long deadLetterLimit) {
        this.clock = clock;
        this.deadLetterLimit = deadLetterLimit;
    }

    private static final class MemoryQueue {
        final Map<String, ArrayDeque<Entry>> ready = new HashMap<>();
        final Map<String, Held> held = new LinkedHashMap<>();
        final TreeMap<Long, List<Entry>> delayed = new TreeMap<>();
        final Map<String, Long> delayedDue = new HashMap<>();
        final ArrayDeque<DeadLetter> dead = new ArrayDeque<>();
        final Map<String, Long> revoked = new LinkedHashMap<>(); // oldest first
        final Map<String, Long> rates = new HashMap<>();
        final Map<String, Map<String, Long>> permits = new HashMap<>();
        final Map<String, java.util.LinkedHashSet<String>> permitWaiters = new HashMap<>();
        final ArrayDeque<Long> finishedAt = new ArrayDeque<>();
        boolean paused;

        MemoryQueue() {
            CLAIM_ORDER.forEach(band -> ready.put(band, new ArrayDeque<>()));
        }
    }

    /** Who holds a uniqueness key, until when. */
    private static final class UniqueHolder {
        final String taskId;
        long expiresAt;

        UniqueHolder(String taskId, long expiresAt) {
            this.taskId = taskId;
            this.expiresAt = expiresAt;
        }
    }

    private record Entry(String entryId, String taskId, String band, byte[] body, int deliveries, long since) {
    }

    private static final class Held {
        final Entry entry;
        final String consumer;
        long touched;

        Held(Entry entry, String consumer, long touched) {
            this.entry = entry;
            this.consumer = consumer;
            this.touched = touched;
        }
    }


    private static final class Record {
        final Map<String, String> fields = new HashMap<>();
        long expiresAt;
    }

    private MemoryQueue queue(String name) {
        return queues.computeIfAbsent(name, n -> new MemoryQueue());
    }

    private String nextEntryId() {
        return clock.millis() + "-" + (nextEntry++);
    }

    // ------------------------------------------------------------------------------------------ producers

    @Override
    public List<SubmitResult> submit(List<OutgoingMessage> messages) {
        List<SubmitResult> results = new ArrayList<>();
        List<String> announce = new ArrayList<>();
        lock.lock();
        try {
            long now = clock.millis();
            for (OutgoingMessage m : messages) {
                String key = key(m.queue(), m.id());
                if (m.deduplicate() && record(key) != null) {
                    results.add(new SubmitResult(SubmitResult.Outcome.DUPLICATE, m.id()));
                    continue;
                }
                MemoryQueue q = queue(m.queue());
                long due = m.dueAtMillis() != null ? m.dueAtMillis() : now + m.delayMillis();
                OutgoingMessage.UniqueClaim unique = m.unique();
                if (unique != null) {
                    String uniqueKey = key(m.queue(), unique.key());
                    UniqueHolder holder = uniques.get(uniqueKey);
                    if (holder != null && holder.expiresAt <= now) {
                        uniques.remove(uniqueKey);
                        holder = null;
                    }
                    if (unique.mode() == Unique.Mode.DEBOUNCE && holder != null
                            && q.delayedDue.containsKey(holder.taskId)) {
                        replaceDelayed(q, holder.taskId, m, now + unique.windowMillis());
                        holder.expiresAt = now + unique.windowMillis() + m.recordTtlMillis();
                        results.add(new SubmitResult(SubmitResult.Outcome.DEBOUNCED, holder.taskId));
                        continue;
                    }
                    if (unique.mode() != Unique.Mode.DEBOUNCE && holder != null) {
                        results.add(new SubmitResult(SubmitResult.Outcome.NOT_UNIQUE, holder.taskId));
                        continue;
                    }
                    uniques.put(uniqueKey, new UniqueHolder(m.id(), now + unique.windowMillis()
                            + (unique.mode() == Unique.Mode.DEBOUNCE ? m.recordTtlMillis() : 0)));
                }
                Entry entry = new Entry(nextEntryId(), m.id(), Integer.toString(m.priority()), m.body(), 0, now);
                boolean delayed = due > now;
                if (delayed) {
                    Long head = q.delayed.isEmpty() ? null : q.delayed.firstKey();
                    q.delayed.computeIfAbsent(due, d -> new ArrayList<>()).add(entry);
                    q.delayedDue.put(m.id(), due);
                    if (head == null || due < head) {
                        announce.add(m.queue());
                    }
                }
                else {
                    q.ready.get(entry.band()).add(entry);
                }
                if (m.deduplicate()) {
                    Record r = new Record();
                    r.fields.put("state", delayed ? "SCHEDULED" : "PENDING");
                    r.fields.put("task", m.taskName());
                    r.fields.put("queue", m.queue());
                    r.fields.put("submitted", Long.toString(now));
                    if (m.parentId() != null) {
                        r.fields.put("parent", m.parentId());
                    }
                    r.expiresAt = now + m.recordTtlMillis();
                    records.put(key, r);
                    q.revoked.remove(m.id()); // revoked while no queue had it: this is a new task
                }
                results.add(new SubmitResult(SubmitResult.Outcome.ACCEPTED, m.id()));
            }
            arrived.signalAll();
        }
        finally {
            lock.unlock();
        }
        announce.forEach(q -> wakeListeners.forEach(l -> l.accept(q)));
        return results;
    }

    /** A debounced submission: the pending task takes the new message and waits until {@code due} again. */
    private void replaceDelayed(MemoryQueue q, String taskId, OutgoingMessage m, long due) {
        Long oldDue = q.delayedDue.get(taskId);
        List<Entry> at = q.delayed.get(oldDue);
        at.removeIf(e -> e.taskId().equals(taskId));
        if (at.isEmpty()) {
            q.delayed.remove(oldDue);
        }
        q.delayed.computeIfAbsent(due, d -> new ArrayList<>()).add(new Entry(nextEntryId(), taskId,
                Integer.toString(m.priority()), m.body(), 0, clock.millis()));
        q.delayedDue.put(taskId, due);
    }

    // ------------------------------------------------------------------------------------------ workers

    @Override
    public void declare(Collection<String> names) {
        lock.lock();
        try {
            names.forEach(this::queue);
        }
        finally {
            lock.unlock();
        }
    }

    @Override
    public List<Delivery> claim(String consumer, List<String> names, int max) {
        lock.lock();
        try {
            return claimLocked(consumer, names, max);
        }
        finally {
            lock.unlock();
        }
    }

    private List<Delivery> claimLocked(String consumer, List<String> names, int max) {
        List<Delivery> out = new ArrayList<>();
        long now = clock.millis();
        for (String name : names) {
            MemoryQueue q = queue(name);
            if (q.paused) {
                continue;
            }
            for (String band : CLAIM_ORDER) {
                ArrayDeque<Entry> entries = q.ready.get(band);
                while (out.size() < max && !entries.isEmpty()) {
                    Entry e = entries.poll();
                    q.held.put(e.entryId(), new Held(e, consumer, now));
                    out.add(new Delivery(name, band, e.entryId(), e.taskId(), e.body(), e.deliveries(),
                            q.revoked.containsKey(e.taskId())));
                }
            }
        }
        return out;
    }

    @Override
    public List<Delivery> awaitAndClaim(String consumer, List<String> names, int max, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        lock.lock();
        try {
            while (true) {
                List<Delivery> claimed = claimLocked(consumer, names, max);
                long left = deadline - System.nanoTime();
                if (!claimed.isEmpty() || left <= 0 || wakeRequests.remove(consumer)) {
                    return claimed;
                }
                arrived.awaitNanos(left);
            }
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            return List.of();
        }
        finally {
            lock.unlock();
        }
    }

    @Override
    public void wakeUp(String consumer) {
        lock.lock();
        try {
            wakeRequests.add(consumer);
            arrived.signalAll();
        }
        finally {
            lock.unlock();
        }
    }

    @Override
    public void markStarted(String consumer, List<Started> started) {
        lock.lock();
        try {
            long now = clock.millis();
            for (Started s : started) {
                Record r = records.computeIfAbsent(key(s.queue(), s.taskId()), k -> new Record());
                String state = r.fields.get("state");
                if (!"SUCCESS".equals(state) && !"FAILURE".equals(state) && !"REVOKED".equals(state)) {
                    r.fields.put("state", "STARTED");
                    r.fields.put("worker", consumer);
                    r.fields.put("started", Long.toString(now));
                    r.fields.put("task", s.taskName());
                    r.fields.put("queue", s.queue());
                    r.fields.put("attempt", Integer.toString(s.attempt()));
                    if (s.submittedAtMillis() > 0) {
                        r.fields.put("submitted", Long.toString(s.submittedAtMillis()));
                    }
                    r.expiresAt = now + s.recordTtlMillis();
                }
            }
        }
        finally {
            lock.unlock();
        }
    }

    @Override
    public List<Boolean> acknowledge(String consumer, List<Outcome> outcomes) {
        List<Boolean> recorded = new ArrayList<>();
        List<String> finished = new ArrayList<>();
        List<String> announce = new ArrayList<>();
        lock.lock();
        try {
            long now = clock.millis();
            for (Outcome o : outcomes) {
                Delivery d = o.delivery();
                MemoryQueue q = queue(d.queue());
                Held held = q.held.get(d.entryId());
                if (held == null) {
                    recorded.add(false); // the lease was taken over
                    continue;
                }
                q.held.remove(d.entryId());
                if (o.isFinal()) {
                    q.finishedAt.add(now);
                    while (!q.finishedAt.isEmpty() && q.finishedAt.peek() <= now - 60_000) {
                        q.finishedAt.poll();
                    }
                }
                if (o.kind() == Outcome.Kind.FAILED || o.kind() == Outcome.Kind.QUARANTINED) {
                    addDeadLetter(q, d, o.taskName(), String.valueOf(o.deadLetterReason()), o.error(), o.attempt(),
                            consumer);
                }
                else if (o.kind() == Outcome.Kind.RETRY) {
                    Outcome.Retry retry = o.retry();
                    long due = now + retry.delayMillis();
                    q.delayed.computeIfAbsent(due, x -> new ArrayList<>()).add(new Entry(nextEntryId(), d.taskId(),
                            Integer.toString(retry.priority()), retry.body(), 0, now));
                    q.delayedDue.put(d.taskId(), due);
                    announce.add(d.queue());
                }
                if (o.uniqueKey() != null && o.isFinal()) {
                    UniqueHolder holder = uniques.get(key(d.queue(), o.uniqueKey()));
                    if (holder != null && holder.taskId.equals(d.taskId())) {
                        uniques.remove(key(d.queue(), o.uniqueKey()));
                    }
                }
                if (o.permitKey() != null) {
                    releasePermit(q, o.permitKey(), d.taskId(), now);
                }
                String key = key(d.queue(), d.taskId());
                if (o.storeRecord() || record(key) != null) {
                    Record r = records.computeIfAbsent(key, k -> new Record());
                    r.fields.put("state", switch (o.kind()) {
                        case SUCCEEDED -> "SUCCESS";
                        case REVOKED -> "REVOKED";
                        case RETRY -> "RETRY";
                        case FAILED, QUARANTINED -> "FAILURE";
                    });
                    if (o.kind() == Outcome.Kind.RETRY) {
                        r.fields.put("next", Long.toString(now + o.retry().delayMillis()));
                    }
                    r.fields.put("finished", Long.toString(now));
                    r.fields.put("worker", consumer);
                    r.fields.put("queue", d.queue());
                    r.fields.put("attempt", Integer.toString(o.attempt()));
                    if (o.taskName() != null) {
                        r.fields.put("task", o.taskName());
                    }
                    if (o.kind() == Outcome.Kind.SUCCEEDED && o.storeRecord()) {
                        r.fields.put("result", o.resultJson() == null ? "null" : o.resultJson());
                    }
                    if (o.storeRecord() && o.argumentsJson() != null) {
                        r.fields.put("args", o.argumentsJson());
                    }
                    if (o.storeRecord() && o.parentId() != null) {
                        r.fields.put("parent", o.parentId());
                    }
                    if (o.storeRecord() && o.ranForMillis() >= 0) {
                        r.fields.put("started", Long.toString(now - o.ranForMillis()));
                    }
                    if (o.storeRecord() && o.submittedAtMillis() > 0) {
                        r.fields.put("submitted", Long.toString(o.submittedAtMillis()));
                    }
                    TaskError error = o.error();
                    if (o.kind() == Outcome.Kind.SUCCEEDED) { // a success clears an earlier attempt's error
                        List.of("error.type", "error.message", "error.stack", "next").forEach(r.fields::remove);
                    }
                    if (error != null) {
                        r.fields.put("error.type", error.type());
                        r.fields.put("error.message", error.message() == null ? "" : error.message());
                        r.fields.put("error.stack", error.stackTrace() == null ? "" : error.stackTrace());
                    }
                    r.expiresAt = now + o.recordTtlMillis();
                    if (o.isFinal()) {
                        finished.add(key);
                    }
                }
                recorded.add(true);
            }
        }
        finally {
            lock.unlock();
        }
        finished.forEach(this::notifyWaiters);
        announce.forEach(queueName -> wakeListeners.forEach(l -> l.accept(queueName)));
        return recorded;
    }

    private void addDeadLetter(MemoryQueue q, Delivery d, @Nullable String taskName, String reason,
            @Nullable TaskError error, int attempt, @Nullable String worker) {
        q.dead.add(new DeadLetter(nextEntryId(), d.taskId(), taskName, d.queue(), reason,
                error == null ? null : error.type(), error == null ? null : error.message(),
                error == null ? null : error.stackTrace(), attempt, d.deliveries() + 1, clock.instant(), worker,
                new String(d.body(), java.nio.charset.StandardCharsets.UTF_8), d.body().length));
        while (q.dead.size() > deadLetterLimit) {
            q.dead.poll();
        }
    }

    private void releasePermit(MemoryQueue q, String key, String taskId, long now) {
        Map<String, Long> holders = q.permits.get(key);
        if (holders != null) {
            holders.remove(taskId);
        }
        java.util.LinkedHashSet<String> waiting = q.permitWaiters.get(key);
        if (waiting != null && !waiting.isEmpty()) {
            String next = waiting.iterator().next();
            waiting.remove(next);
            moveDelayed(q, next, now);
        }
    }

    /** Makes a delayed task due at {@code due}. */
    private void moveDelayed(MemoryQueue q, String taskId, long due) {
        Long oldDue = q.delayedDue.get(taskId);
        if (oldDue == null) {
            return;
        }
        List<Entry> at = q.delayed.get(oldDue);
        Entry entry = at.stream().filter(e -> e.taskId().equals(taskId)).findFirst().orElseThrow();
        at.remove(entry);
        if (at.isEmpty()) {
            q.delayed.remove(oldDue);
        }
        q.delayed.computeIfAbsent(due, x -> new ArrayList<>()).add(entry);
        q.delayedDue.put(taskId, due);
    }

    /** Takes a held entry off its stream and waits it in the delayed set until {@code due}, with a new body. */
    private boolean park(MemoryQueue q, Delivery d, int priority, byte[] body, long due) {
        if (q.held.remove(d.entryId()) == null) {
            return false;
        }
        q.delayed.computeIfAbsent(due, x -> new ArrayList<>()).add(new Entry(nextEntryId(), d.taskId(),
                Integer.toString(priority), body, 0, clock.millis()));
        q.delayedDue.put(d.taskId(), due);
        return true;
    }

    @Override
    public long takeRateSlot(Delivery delivery, String key, long intervalMicros, int priority, byte[] reservedBody) {
        lock.lock();
        try {
            MemoryQueue q = queue(delivery.queue());
            long now = clock.millis() * 1000;
            long nextFree = q.rates.getOrDefault(key, 0L);
            if (nextFree <= now) {
                q.rates.put(key, now + intervalMicros);
                return 0;
            }
            long at = (nextFree + 999) / 1000;
            if (!park(q, delivery, priority, reservedBody, at)) {
                return -1;
            }
            q.rates.put(key, nextFree + intervalMicros);
            return at;
        }
        finally {
            lock.unlock();
        }
    }

    @Override
    public boolean takePermit(Delivery delivery, String key, int limit, long leaseMillis, int priority) {
        lock.lock();
        try {
            MemoryQueue q = queue(delivery.queue());
            long now = clock.millis();
            Map<String, Long> holders = q.permits.computeIfAbsent(key, k -> new HashMap<>());
            holders.values().removeIf(expiry -> expiry <= now);
            if (holders.containsKey(delivery.taskId()) || holders.size() < limit) {
                holders.put(delivery.taskId(), now + leaseMillis);
                java.util.LinkedHashSet<String> waiting = q.permitWaiters.get(key);
                if (waiting != null) {
                    waiting.remove(delivery.taskId());
                }
                return true;
            }
            long earliest = holders.values().stream().mapToLong(Long::longValue).min().orElse(now);
            park(q, delivery, priority, delivery.body(), earliest);
            q.permitWaiters.computeIfAbsent(key, k -> new java.util.LinkedHashSet<>()).add(delivery.taskId());
            return false;
        }
        finally {
            lock.unlock();
        }
    }

    @Override
    public void extendPermits(Map<String, Map<String, List<String>>> permits, long leaseMillis) {
        lock.lock();
        try {
            long now = clock.millis();
            permits.forEach((queueName, byKey) -> byKey.forEach((key, ids) -> {
                Map<String, Long> holders = queue(queueName).permits.get(key);
                if (holders != null) {
                    ids.forEach(id -> holders.computeIfPresent(id, (i, expiry) -> now + leaseMillis));
                }
            }));
        }
        finally {
            lock.unlock();
        }
    }

    @Override
    public boolean revoke(@Nullable String queueName, String taskId, String reason, boolean interrupt) {
        boolean recorded = false;
        List<String> finished = new ArrayList<>();
        String holder;
        lock.lock();
        try {
            long now = clock.millis();
            holder = queueName != null ? queueName : onlyQueueLocked(taskId);
            for (String name : holder != null ? List.of(holder) : List.copyOf(queues.keySet())) {
                MemoryQueue q = queue(name);
                Record r = record(key(name, taskId));
                String state = r == null ? null : r.fields.get("state");
                if ("SUCCESS".equals(state) || "FAILURE".equals(state) || "REVOKED".equals(state)) {
                    continue; // it finished: its outcome stands
                }
                recorded = true;
                q.revoked.remove(taskId);
                q.revoked.put(taskId, now);
                q.revoked.values().removeIf(at -> at <= now - REVOCATION_MEMORY.toMillis());
                for (Iterator<String> oldest = q.revoked.keySet().iterator(); q.revoked.size() > MAX_REVOCATIONS;) {
                    oldest.next();
                    oldest.remove();
                }
                if (holder == null) {
                    continue; // no queue has it: remembered, in case it waits without a record, and nothing more
                }
                if (r == null) {
                    r = new Record();
                    records.put(key(name, taskId), r);
                }
                Long due = q.delayedDue.remove(taskId);
                if (due != null) {
                    List<Entry> at = q.delayed.get(due);
                    Entry entry = at.stream().filter(e -> e.taskId().equals(taskId)).findFirst().orElse(null);
                    at.removeIf(e -> e.taskId().equals(taskId));
                    if (at.isEmpty()) {
                        q.delayed.remove(due);
                    }
                    if (entry != null && MessageCodec.isWorkflowStep(entry.body())) {
                        // a worker takes it, sees it revoked, and tells the rest of its workflow
                        q.ready.get(entry.band()).add(entry);
                        arrived.signalAll();
                    }
                }
                r.fields.put("state", "REVOKED");
                r.fields.put("queue", name);
                r.fields.put("error.type", "dev.taskqueue.TaskRevokedException");
                r.fields.put("error.message", reason);
                r.expiresAt = now + Duration.ofDays(1).toMillis();
                finished.add(key(name, taskId));
                uniques.entrySet().removeIf(u -> u.getKey().startsWith(name + '\u0000')
                        && u.getValue().taskId.equals(taskId));
            }
        }
        finally {
            lock.unlock();
        }
        finished.forEach(this::notifyWaiters);
        revokeListeners.forEach(l -> l.revoked(holder, taskId, interrupt));
        return recorded;
    }

    /** As on Redis: how long, and how many per queue, revocations are remembered. */
    private static final Duration REVOCATION_MEMORY = Duration.ofDays(7);
    private static final int MAX_REVOCATIONS = 50_000;

    /**
     * As on Redis: the one queue that has the task (its record holds a state, or it is delayed there), or null.
     *
     * @throws AmbiguousTaskIdException when several have it
     */
    private @Nullable String onlyQueueLocked(String taskId) {
        List<String> holding = queues.keySet().stream().filter(name -> infoLocked(name, taskId) != null).toList();
        if (holding.size() > 1) {
            throw new AmbiguousTaskIdException(taskId, holding);
        }
        return holding.isEmpty() ? null : holding.get(0);
    }

    @Override
    public AutoCloseable onRevoked(RevocationListener listener) {
        revokeListeners.add(listener);
        return () -> revokeListeners.remove(listener);
    }

    @Override
    public void progress(String queueName, String taskId, double fraction, @Nullable String message,
            long recordTtlMillis) {
        lock.lock();
        try {
            Record r = records.computeIfAbsent(key(queueName, taskId), k -> new Record());
            String state = r.fields.get("state");
            if (!"SUCCESS".equals(state) && !"FAILURE".equals(state) && !"REVOKED".equals(state)) {
                r.fields.put("progress", Double.toString(fraction));
                r.fields.put("progress.message", message == null ? "" : message);
                if (r.expiresAt == 0) {
                    r.expiresAt = clock.millis() + recordTtlMillis;
                }
            }
        }
        finally {
            lock.unlock();
        }
    }

    @Override
    public void pause(String queueName) {
        setPaused(queueName, true);
    }

    @Override
    public void resume(String queueName) {
        setPaused(queueName, false);
    }

    private void setPaused(String queueName, boolean paused) {
        lock.lock();
        try {
            queue(queueName).paused = paused;
            arrived.signalAll();
        }
        finally {
            lock.unlock();
        }
    }

    @Override
    public long purge(String queueName) {
        lock.lock();
        try {
            MemoryQueue q = queue(queueName);
            long removed = 0;
            for (ArrayDeque<Entry> entries : q.ready.values()) {
                removed += entries.size();
                entries.clear();
            }
            removed += q.delayedDue.size();
            q.delayed.clear();
            q.delayedDue.clear();
            return removed;
        }
        finally {
            lock.unlock();
        }
    }

    @Override
    public List<DeadLetter> deadLetters(String queueName, DeadLetterRead read) {
        lock.lock();
        try {
            List<DeadLetter> inOrder = new ArrayList<>(queue(queueName).dead);
            if (!read.oldestFirst()) {
                java.util.Collections.reverse(inOrder);
            }
            List<DeadLetter> letters = new ArrayList<>();
            long bytes = 0;
            for (DeadLetter letter : inOrder) {
                if (letters.size() == read.count() || bytes >= read.maxBytes()) {
                    break;
                }
                if (read.includes(letter.id())) {
                    DeadLetter cut = cut(letter, read.maxTextBytes());
                    letters.add(cut);
                    bytes += cut.message().length() + String.valueOf(cut.errorMessage()).length()
                            + String.valueOf(cut.stackTrace()).length() + cut.reason().length();
                }
            }
            return letters;
        }
        finally {
            lock.unlock();
        }
    }

    /** The letter as a bounded read returns it: each text cut as the Redis broker's read cuts it. */
    private static DeadLetter cut(DeadLetter l, int maxBytes) {
        return new DeadLetter(l.id(), StoredText.cut(l.taskId(), maxBytes), StoredText.cutOrNull(l.taskName(),
                maxBytes), l.queue(), StoredText.cut(l.reason(), maxBytes), StoredText.cutOrNull(l.errorType(),
                maxBytes), StoredText.cutOrNull(l.errorMessage(), maxBytes), StoredText.cutOrNull(l.stackTrace(),
                maxBytes), l.attempt(), l.deliveries(), l.failedAt(), StoredText.cutOrNull(l.worker(), maxBytes),
                StoredText.cut(l.message(), maxBytes), l.messageSize());
    }

    @Override
    public boolean requeueDeadLetter(String queueName, String deadLetterId, String taskId, byte @Nullable [] body,
            int priority) {
        lock.lock();
        try {
            MemoryQueue q = queue(queueName);
            DeadLetter letter = q.dead.stream().filter(l -> l.id().equals(deadLetterId)).findFirst().orElse(null);
            if (letter == null) {
                return false;
            }
            q.dead.remove(letter);
            byte[] message = body != null ? body : letter.message().getBytes(java.nio.charset.StandardCharsets.UTF_8);
            q.ready.get(Integer.toString(priority)).add(new Entry(nextEntryId(), letter.taskId(),
                    Integer.toString(priority), message, 0, clock.millis()));
            Record r = records.get(key(queueName, letter.taskId()));
            if (r != null) {
                r.fields.put("state", "PENDING");
                r.fields.keySet().removeIf(f -> f.startsWith("error.") || f.equals("finished") || f.equals("next"));
            }
            arrived.signalAll();
            return true;
        }
        finally {
            lock.unlock();
        }
    }

    @Override
    public boolean deleteDeadLetter(String queueName, String deadLetterId) {
        lock.lock();
        try {
            return queue(queueName).dead.removeIf(l -> l.id().equals(deadLetterId));
        }
        finally {
            lock.unlock();
        }
    }

    @Override
    public List<Delivery> extendLeases(String consumer, List<Delivery> claimed) {
        lock.lock();
        try {
            long now = clock.millis();
            List<Delivery> stillHeld = new ArrayList<>();
            for (Delivery d : claimed) {
                Held held = queue(d.queue()).held.get(d.entryId());
                if (held != null && held.consumer.equals(consumer)) {
                    held.touched = now;
                    stillHeld.add(d);
                }
            }
            return stillHeld;
        }
        finally {
            lock.unlock();
        }
    }

    @Override
    public void release(String consumer, List<Delivery> deliveries) {
        lock.lock();
        try {
            for (Delivery d : deliveries) {
                MemoryQueue q = queue(d.queue());
                Held held = q.held.get(d.entryId());
                if (held != null && held.consumer.equals(consumer)) {
                    requeue(q, held, false);
                }
            }
            arrived.signalAll();
        }
        finally {
            lock.unlock();
        }
    }

    @Override
    public void releaseAll(String consumer, Collection<String> names) {
        lock.lock();
        try {
            for (String name : names) {
                MemoryQueue q = queue(name);
                for (Held held : new ArrayList<>(q.held.values())) {
                    if (held.consumer.equals(consumer)) {
                        requeue(q, held, false);
                    }
                }
            }
            arrived.signalAll();
        }
        finally {
            lock.unlock();
        }
    }

    /** Puts a held entry back, in the redelivery band; a delivery it did not finish counts. */
    private void requeue(MemoryQueue q, Held held, boolean countDelivery) {
        Entry e = held.entry;
        q.held.remove(e.entryId());
        int deliveries = e.deliveries() + (countDelivery ? 1 : 0);
        q.ready.get("r").add(new Entry(nextEntryId(), e.taskId(), "r", e.body(), deliveries, clock.millis()));
    }

    @Override
    public Promotion promoteDue(String name, int max) {
        lock.lock();
        try {
            MemoryQueue q = queue(name);
            long now = clock.millis();
            int promoted = 0;
            while (promoted < max && !q.delayed.isEmpty() && q.delayed.firstKey() <= now) {
                List<Entry> due = q.delayed.firstEntry().getValue();
                Iterator<Entry> it = due.iterator();
                while (it.hasNext() && promoted < max) {
                    Entry e = it.next();
                    it.remove();
                    q.delayedDue.remove(e.taskId());
                    q.ready.get(e.band()).add(e);
                    promoted++;
                }
                if (due.isEmpty()) {
                    q.delayed.pollFirstEntry();
                }
            }
            if (promoted > 0) {
                arrived.signalAll();
            }
            Duration untilNext = q.delayed.isEmpty() ? null
                    : Duration.ofMillis(Math.max(0, q.delayed.firstKey() - now));
            return new Promotion(promoted, untilNext);
        }
        finally {
            lock.unlock();
        }
    }

    @Override
    public AutoCloseable onEarlierDue(Consumer<String> listener) {
        wakeListeners.add(listener);
        return () -> wakeListeners.remove(listener);
    }

    // ------------------------------------------------------------------------------------------ liveness

    @Override
    public long heartbeat(WorkerInfo info, Duration ttl, Duration outageAfter) {
        lock.lock();
        try {
            long now = clock.millis();
            workers.put(info.id(), info);
            lastSeen.put(info.id(), now);
            info.queues().forEach(this::queue);
            return now; // one process: no outage to discount
        }
        finally {
            lock.unlock();
        }
    }

    @Override
    public void deregister(String workerId) {
        lock.lock();
        try {
            workers.remove(workerId);
            lastSeen.remove(workerId);
        }
        finally {
            lock.unlock();
        }
    }

    @Override
    public Recovery recover(RecoveryPolicy policy) {
        List<String> dead = new ArrayList<>();
        int redelivered = 0;
        lock.lock();
        try {
            long now = clock.millis();
            lastSeen.forEach((id, seen) -> {
                if (seen < now - policy.livenessTimeout().toMillis() && !id.equals(policy.recoveringWorker())) {
                    dead.add(id);
                }
            });
            for (MemoryQueue q : queues.values()) {
                for (Held held : new ArrayList<>(q.held.values())) {
                    boolean ownerDead = dead.contains(held.consumer);
                    boolean expired = held.touched < now - policy.visibilityTimeout().toMillis();
                    if (ownerDead || expired) {
                        requeue(q, held, true);
                        redelivered++;
                    }
                }
            }
            dead.forEach(id -> {
                workers.remove(id);
                lastSeen.remove(id);
            });
            if (redelivered > 0) {
                arrived.signalAll();
            }
        }
        finally {
            lock.unlock();
        }
        return new Recovery(dead, redelivered);
    }

    // ------------------------------------------------------------------------------------------ inspection

    @Override
    public Set<String> queues() {
        lock.lock();
        try {
            return new TreeSet<>(queues.keySet());
        }
        finally {
            lock.unlock();
        }
    }

    @Override
    public QueueStats stats(String name) {
        lock.lock();
        try {
            MemoryQueue q = queue(name);
            long now = clock.millis();
            long pending = 0;
            long oldest = -1;
            for (ArrayDeque<Entry> entries : q.ready.values()) {
                pending += entries.size();
                for (Entry e : entries) {
                    oldest = Math.max(oldest, now - e.since());
                }
            }
            long scheduled = q.delayed.values().stream().mapToLong(List::size).sum();
            long lastMinute = q.finishedAt.stream().filter(at -> at > now - 60_000).count();
            return new QueueStats(name, pending, scheduled, q.held.size(), q.dead.size(), oldest < 0 ? null : oldest,
                    q.paused, lastMinute);
        }
        finally {
            lock.unlock();
        }
    }

    /** The dead letters of a queue, oldest first. */
    public List<DeadLetter> deadLetters(String name) {
        lock.lock();
        try {
            return List.copyOf(queue(name).dead);
        }
        finally {
            lock.unlock();
        }
    }

    @Override
    public List<WorkerInfo> workers() {
        lock.lock();
        try {
            return List.copyOf(workers.values());
        }
        finally {
            lock.unlock();
        }
    }

    @Override
    public boolean ping() {
        return true;
    }

    @Override
    public void close() {
        lock.lock();
        try {
            waiters.values().forEach(list -> list.forEach(f -> f.cancel(false)));
            waiters.clear();
        }
        finally {
            lock.unlock();
        }
    }

    // ------------------------------------------------------------------------------------------ results

    @Override
    public TaskInfo find(@Nullable String queueName, String taskId) {
        lock.lock();
        try {
            String holder = queueName != null ? queueName : onlyQueueLocked(taskId);
            TaskInfo info = holder == null ? null : infoLocked(holder, taskId);
            return info != null ? info : TaskInfo.pending(taskId, queueName);
        }
        finally {
            lock.unlock();
        }
    }

    private @Nullable TaskInfo infoLocked(String queueName, String taskId) {
        Record r = record(key(queueName, taskId));
        boolean delayed = queues.containsKey(queueName) && queue(queueName).delayedDue.containsKey(taskId);
        return TaskRecords.toInfo(taskId, queueName, r == null ? Map.of() : r.fields, delayed);
    }

    @Override
    public CompletableFuture<TaskInfo> whenFinished(@Nullable String queueName, String taskId) {
        CompletableFuture<TaskInfo> future = new CompletableFuture<>();
        lock.lock();
        try {
            TaskInfo info = find(queueName, taskId);
            if (info.state().isFinished()) {
                future.complete(info);
                return future;
            }
            String queue = queueName != null ? queueName : info.queue();
            waiters.computeIfAbsent(queue != null ? key(queue, taskId) : taskId, k -> new ArrayList<>()).add(future);
        }
        catch (AmbiguousTaskIdException ex) {
            future.completeExceptionally(ex);
        }
        finally {
            lock.unlock();
        }
        return future;
    }

    /** Completes the waiters of the task of this key (queue and id), and those that wait for the id in no queue. */
    private void notifyWaiters(String key) {
        String taskId = key.substring(key.indexOf('\u0000') + 1);
        String queueName = key.substring(0, key.indexOf('\u0000'));
        List<CompletableFuture<TaskInfo>> futures = new ArrayList<>();
        TaskInfo info;
        lock.lock();
        try {
            futures.addAll(waiters.getOrDefault(key, List.of()));
            futures.addAll(waiters.getOrDefault(taskId, List.of()));
            info = futures.isEmpty() ? null : infoLocked(queueName, taskId);
            if (info != null && info.state().isFinished()) {
                waiters.remove(key);
                waiters.remove(taskId);
            }
        }
        finally {
            lock.unlock();
        }
        if (info != null && info.state().isFinished()) {
            TaskInfo done = info;
            futures.forEach(f -> CompletableFuture.runAsync(() -> f.complete(done)));
        }
    }

    private @Nullable Record record(String key) {
        Record r = records.get(key);
        if (r != null && r.expiresAt > 0 && r.expiresAt <= clock.millis()) {
            records.remove(key);
            return null;
        }
        return r;
    }

    private static String key(String queueName, String taskId) {
        return queueName + '\u0000' + taskId;
    }


    // ------------------------------------------------------------------------------------------ workflows

    private final Map<String, Expiring<List<Member>>> groups = new HashMap<>();
    private final Map<String, MemoryChord> chords = new LinkedHashMap<>();
    private final LocalScheduleStore schedules = new LocalScheduleStore();

    private record Expiring<T>(T value, long expiresAt) {
    }

    private static final class MemoryChord {
        final Map<Integer, String> results = new HashMap<>();
        int size;
        String body = "";
        @Nullable String spec;
        String bodyTask = "";
        long created;
        long updated;
        long expiresAt;
        @Nullable String failed;
        boolean completed;
    }

    @Override
    public void saveGroup(String groupId, List<Member> members, long ttlMillis) {
        locked(() -> groups.putIfAbsent(groupId, new Expiring<>(List.copyOf(members), clock.millis() + ttlMillis)));
    }

    @Override
    public @Nullable List<Member> group(String groupId) {
        return locked(() -> {
            Expiring<List<Member>> group = groups.get(groupId);
            return group == null || group.expiresAt() <= clock.millis() ? null : group.value();
        });
    }

    @Override
    public void openChord(String chordId, int size, String bodyJson, String bodyTaskId, String bodyTaskName,
            long ttlMillis) {
        locked(() -> {
            MemoryChord chord = liveChord(chordId);
            if (chord == null || chord.created == 0) {
                chord = chord != null ? chord : new MemoryChord();
                chord.size = size;
                chord.spec = bodyJson;
                chord.body = bodyTaskId;
                chord.bodyTask = bodyTaskName;
                chord.created = clock.millis();
                chord.updated = chord.created;
                chord.expiresAt = chord.created + ttlMillis;
                chords.put(chordId, chord);
            }
            return null;
        });
    }

    private @Nullable MemoryChord liveChord(String chordId) {
        MemoryChord chord = chords.get(chordId);
        if (chord != null && chord.expiresAt <= clock.millis()) {
            chords.remove(chordId);
            return null;
        }
        return chord;
    }

    @Override
    public ChordProgress reportToChord(String chordId, int index, int size, @Nullable String resultJson,
            @Nullable String failure, long ttlMillis) {
        return locked(() -> {
            MemoryChord chord = liveChord(chordId);
            if (chord == null) {
                chord = new MemoryChord();
                chord.size = size;
                chords.put(chordId, chord);
            }
            long now = clock.millis();
            chord.updated = now;
            chord.expiresAt = now + ttlMillis;
            if (chord.failed != null) {
                return new ChordProgress(ChordProgress.Kind.FAILED_BEFORE, List.of(), chord.spec);
            }
            if (failure != null) {
                chord.failed = failure;
                return new ChordProgress(ChordProgress.Kind.FAILED_NOW, List.of(), chord.spec);
            }
            chord.results.putIfAbsent(index, resultJson == null ? "null" : resultJson);
            if (chord.results.size() < size) {
                return ChordProgress.WAITING;
            }
            chord.completed = true;
            String[] ordered = new String[size];
            chord.results.forEach((i, json) -> {
                if (i >= 0 && i < size) {
                    ordered[i] = json;
                }
            });
            return new ChordProgress(ChordProgress.Kind.COMPLETE, List.of(ordered), chord.spec);
        });
    }

    @Override
    public void closeChord(String chordId) {
        locked(() -> {
            MemoryChord chord = chords.get(chordId);
            if (chord != null) {
                chord.completed = true;
            }
            return null;
        });
    }

    @Override
    public List<ChordStatus> chords(int max) {
        return locked(() -> chords.entrySet().stream()
                .filter(e -> !e.getValue().completed && e.getValue().expiresAt > clock.millis()).limit(max)
                .map(e -> new ChordStatus(e.getKey(), e.getValue().size, e.getValue().results.size(),
                        e.getValue().body, e.getValue().bodyTask, e.getValue().created, e.getValue().updated,
                        e.getValue().failed))
                .toList());
    }

    @Override
    public void abandon(List<Abandoned> tasks, long ttlMillis) {
        List<String> finished = locked(() -> {
            List<String> keys = new ArrayList<>();
            long now = clock.millis();
            for (Abandoned task : tasks) {
                String key = key(task.queue(), task.taskId());
                Record r = record(key);
                String state = r == null ? null : r.fields.get("state");
                if (state != null && !state.equals("PENDING") && !state.equals("SCHEDULED")) {
                    continue;
                }
                Record written = r != null ? r : new Record();
                written.fields.put("state", task.state().name());
                written.fields.put("task", task.taskName());
                written.fields.put("queue", task.queue());
                written.fields.put("finished", Long.toString(now));
                written.fields.put("error.type", task.errorType());
                written.fields.put("error.message", task.errorMessage());
                written.fields.put("error.stack", task.errorStack() == null ? "" : task.errorStack());
                written.expiresAt = now + ttlMillis;
                records.put(key, written);
                keys.add(key);
            }
            return keys;
        });
        finished.forEach(this::notifyWaiters);
    }

    @Override
    public Map<String, ScheduleState> scheduleStates(Collection<String> names) {
        return schedules.scheduleStates(names);
    }

    @Override
    public void recordFire(String name, long tickMillis, long ttlMillis) {
        schedules.recordFire(name, tickMillis, ttlMillis);
    }

    @Override
    public void setScheduleEnabled(String name, boolean enabled, long ttlMillis) {
        schedules.setScheduleEnabled(name, enabled, ttlMillis);
    }

    @Override
    public void keepSchedule(String name, long ttlMillis) {
        schedules.keepSchedule(name, ttlMillis);
    }

    private <T> T locked(java.util.function.Supplier<T> action) {
        lock.lock();
        try {
            return action.get();
        }
        finally {
            lock.unlock();
        }
    }

    /** Waits up to {@code timeout} until every queue is empty and nothing is held: for tests. */
    public boolean awaitIdle(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            lock.lock();
            try {
                boolean idle = queues.values().stream().allMatch(q -> q.held.isEmpty() && q.delayed.isEmpty()
                        && q.ready.values().stream().allMatch(ArrayDeque::isEmpty));
                if (idle) {
                    return true;
                }
            }
            finally {
                lock.unlock();
            }
            TimeUnit.MILLISECONDS.sleep(5);
        }
        return false;
    }
}
