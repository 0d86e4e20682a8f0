package dev.taskqueue.client;

import java.util.List;

import dev.taskqueue.TaskIds;
import dev.taskqueue.TaskQueueOperations;
import dev.taskqueue.broker.Broker;
import dev.taskqueue.broker.DeadLetter;
import dev.taskqueue.broker.WorkflowStore;
import dev.taskqueue.internal.MessageCodec;
import dev.taskqueue.internal.MessageCodec.CorruptMessageException;
import dev.taskqueue.internal.TaskDeclarations;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/** {@link TaskQueueOperations} on a {@link Broker}. */
public final class DefaultTaskQueueOperations implements TaskQueueOperations {

    /** Dead letters read per round trip when acting on all of them. */
    private static final int PAGE = 200;

    private final Broker broker;
    private final MessageCodec codec;

    public DefaultTaskQueueOperations(Broker broker, MessageCodec codec) {
        this.broker = broker;
        this.codec = codec;
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
        DeadLetter letter = find(queue, deadLetterId);
        return letter != null && requeue(letter);
    }

    @Override
    public int requeueDeadLetters(String queue) {
        TaskDeclarations.checkQueueName(queue);
        int requeued = 0;
        List<DeadLetter> page;
        // Newest first, page by page; each requeued letter leaves the stream, so the first page is always fresh.
        while (!(page = broker.deadLetters(queue, null, PAGE)).isEmpty()) {
            for (int i = page.size() - 1; i >= 0; i--) { // oldest first, as they failed
                if (requeue(page.get(i))) {
                    requeued++;
                }
            }
        }
        return requeued;
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
        List<DeadLetter> page;
        while (!(page = broker.deadLetters(queue, null, PAGE)).isEmpty()) {
            for (DeadLetter letter : page) {
                if (broker.deleteDeadLetter(queue, letter.id())) {
                    deleted++;
                }
            }
        }
        return deleted;
    }

    @Override
    public boolean revoke(String taskId, boolean interruptIfRunning) {
        TaskIds.check(taskId);
        return broker.revoke(null, taskId, "revoked by an operator", interruptIfRunning);
    }

    private @Nullable DeadLetter find(String queue, String deadLetterId) {
        // Dead letter ids are stream ids: the page just older than the next id up starts with this one.
        for (DeadLetter letter : broker.deadLetters(queue, nextId(deadLetterId), 1)) {
            if (letter.id().equals(deadLetterId)) {
                return letter;
            }
        }
        return null;
    }

    /** The smallest stream id above {@code id}. */
    private static String nextId(String id) {
        int dash = id.indexOf('-');
        if (dash < 0) {
            return id + "-1";
        }
        return id.substring(0, dash + 1) + (Long.parseLong(id.substring(dash + 1)) + 1);
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
}
