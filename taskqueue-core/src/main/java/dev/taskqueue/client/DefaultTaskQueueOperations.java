package dev.taskqueue.client;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;

import dev.taskqueue.DeclaredTask;
import dev.taskqueue.TaskIds;
import dev.taskqueue.TaskQueueOperations;
import dev.taskqueue.broker.Broker;
import dev.taskqueue.broker.DeadLetter;
import dev.taskqueue.broker.WorkflowStore;
import dev.taskqueue.internal.MessageCodec;
import dev.taskqueue.internal.MessageCodec.CorruptMessageException;
import dev.taskqueue.internal.TaskCatalog;
import dev.taskqueue.internal.TaskDeclarations;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/** {@link TaskQueueOperations} on a {@link Broker}. */
public final class DefaultTaskQueueOperations implements TaskQueueOperations {

    /** Dead letters read per round trip when acting on all of them. */
    private static final int PAGE = 200;

    private final Broker broker;
    private final MessageCodec codec;
    private final TaskCatalog catalog;

    public DefaultTaskQueueOperations(Broker broker, MessageCodec codec, TaskCatalog catalog) {
        this.broker = broker;
        this.codec = codec;
        this.catalog = catalog;
    }

    @Override
    public List<DeadLetter> deadLetters(String queue, @Nullable String before, int count) {
        TaskDeclarations.checkQueueName(queue);
        if (count <= 0 || count > 1000) {
            throw new IllegalArgumentException("count must be between 1 and 1000, got " + count);
        }
        return broker.deadLetters(queue, before, count);
    }

    @Override
    public boolean requeueDeadLetter(String queue, String deadLetterId) {
        TaskDeclarations.checkQueueName(queue);
        DeadLetter letter = deadLetter(queue, deadLetterId);
        return letter != null && requeue(letter);
    }

    @Override
    public int requeueDeadLetters(String queue) {
        TaskDeclarations.checkQueueName(queue);
        // The letters there now, not those a requeued task adds if it fails again: page older from the newest,
        // noting where each page starts, then requeue the pages oldest first (a page is the same on the second
        // read: only older letters were removed meanwhile).
        Deque<String> pageStarts = new ArrayDeque<>();
        for (String before = newestBound(queue); before != null; before = olderPage(queue, before)) {
            pageStarts.push(before);
        }
        int requeued = 0;
        while (!pageStarts.isEmpty()) {
            List<DeadLetter> page = broker.deadLetters(queue, pageStarts.pop(), PAGE);
            for (int i = page.size() - 1; i >= 0; i--) { // pages list newest first
                if (requeue(page.get(i))) {
                    requeued++;
                }
            }
        }
        return requeued;
    }

    /** Just above the newest dead letter (a page's {@code before}), or null when there is none. */
    private @Nullable String newestBound(String queue) {
        List<DeadLetter> newest = broker.deadLetters(queue, null, 1);
        return newest.isEmpty() ? null : nextId(newest.get(0).id());
    }

    /** The {@code before} of the page after the one that {@code before} starts, or null when that one is the last. */
    private @Nullable String olderPage(String queue, String before) {
        List<DeadLetter> page = broker.deadLetters(queue, before, PAGE);
        return page.size() < PAGE ? null : page.get(page.size() - 1).id();
    }

    @Override
    public boolean deleteDeadLetter(String queue, String deadLetterId) {
        TaskDeclarations.checkQueueName(queue);
        return broker.deleteDeadLetter(queue, deadLetterId);
    }

    @Override
    public int deleteDeadLetters(String queue) {
        TaskDeclarations.checkQueueName(queue);
        int deleted = 0;
        String before = newestBound(queue); // not the letters that arrive meanwhile
        List<DeadLetter> page;
        while (before != null && !(page = broker.deadLetters(queue, before, PAGE)).isEmpty()) {
            for (DeadLetter letter : page) {
                if (broker.deleteDeadLetter(queue, letter.id())) {
                    deleted++;
                }
            }
            before = page.get(page.size() - 1).id();
        }
        return deleted;
    }

    @Override
    public boolean revoke(String taskId, boolean interruptIfRunning) {
        TaskIds.check(taskId);
        return broker.revoke(null, taskId, "revoked by an operator", interruptIfRunning);
    }

    @Override
    public boolean revoke(String queue, String taskId, boolean interruptIfRunning) {
        TaskIds.check(taskId);
        return broker.revoke(TaskDeclarations.checkQueueName(queue), taskId, "revoked by an operator",
                interruptIfRunning);
    }

    @Override
    public @Nullable DeadLetter deadLetter(String queue, String deadLetterId) {
        TaskDeclarations.checkQueueName(queue);
        String next = nextId(deadLetterId);
        if (next == null) {
            return null; // not a stream id, so no dead letter's
        }
        // Dead letter ids are stream ids: the page just older than the next id up starts with this one.
        for (DeadLetter letter : broker.deadLetters(queue, next, 1)) {
            if (letter.id().equals(deadLetterId)) {
                return letter;
            }
        }
        return null;
    }

    /** The smallest stream id above {@code id} (two unsigned 64-bit parts), or null when it is not a stream id. */
    private static @Nullable String nextId(String id) {
        int dash = id.indexOf('-');
        try {
            long millis = Long.parseUnsignedLong(dash < 0 ? id : id.substring(0, dash));
            long sequence = dash < 0 ? 0 : Long.parseUnsignedLong(id.substring(dash + 1));
            return sequence == -1L ? Long.toUnsignedString(millis + 1) + "-0"
                    : Long.toUnsignedString(millis) + "-" + Long.toUnsignedString(sequence + 1);
        }
        catch (NumberFormatException ex) {
            return null;
        }
    }

    /** A fresh first attempt of the letter's task; a message that cannot be read goes back as it is. */
    private boolean requeue(DeadLetter letter) {
        byte[] stored = letter.message().getBytes(java.nio.charset.StandardCharsets.UTF_8);
        byte[] body = null;
        int priority = 0;
        try {
            MessageCodec.Decoded decoded = codec.decode(letter.taskId(), stored);
            priority = decoded.message().priority();
            List<JsonNode> args = new java.util.ArrayList<>();
            decoded.args().forEach(args::add);
            body = codec.encodeBody(decoded.message().firstAttempt(), args);
        }
        catch (CorruptMessageException ex) {
            // requeued as stored: a fixed worker may read it, or it is quarantined again
        }
        return broker.requeueDeadLetter(letter.queue(), letter.id(), letter.taskId(), body, priority);
    }

    @Override
    public List<WorkflowStore.ChordStatus> chords(int max) {
        return broker.chords(max);
    }

    @Override
    public List<DeclaredTask> catalog() {
        return catalog.all();
    }
}
