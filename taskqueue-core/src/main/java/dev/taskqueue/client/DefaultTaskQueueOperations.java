package dev.taskqueue.client;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

import dev.taskqueue.BrokerUnavailableException;
import dev.taskqueue.ChordStatus;
import dev.taskqueue.DeadLetter;
import dev.taskqueue.DeclaredTask;
import dev.taskqueue.TaskIds;
import dev.taskqueue.TaskQueueOperations;
import dev.taskqueue.broker.DeadLetterRead;
import dev.taskqueue.broker.QueueAdmin;
import dev.taskqueue.broker.TaskMessage;
import dev.taskqueue.internal.MessageCodec;
import dev.taskqueue.internal.MessageCodec.CorruptMessageException;
import dev.taskqueue.internal.StoredText;
import dev.taskqueue.internal.TaskCatalog;
import dev.taskqueue.internal.TaskDeclarations;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;

/**
 * {@link TaskQueueOperations} on a {@link QueueAdmin}. Dead letters are read in bounded pages ({@link DeadLetterRead}),
 * whatever their sizes, and acting on all of them goes on past a letter it cannot act on.
 */
public final class DefaultTaskQueueOperations implements TaskQueueOperations {

    private static final Logger log = LoggerFactory.getLogger(DefaultTaskQueueOperations.class);

    /** Dead letters read per round trip when acting on all of them. */
    private static final int PAGE = 200;

    /** Bytes of dead letters one read holds at most, beside one letter: a page may hold fewer letters than asked. */
    public static final int PAGE_BYTES = 4 * 1024 * 1024;

    /** Bytes kept of each text of a dead letter in a page (its message, error message, stack trace...). */
    public static final int LISTED_TEXT_BYTES = 16 * 1024;

    /** Bytes kept of each text of a dead letter where only its id is needed. */
    private static final int ID_ONLY_TEXT_BYTES = 1024;

    private final QueueAdmin admin;
    private final MessageCodec codec;
    private final TaskCatalog catalog;
    private final int maxMessageSize;

    /** Operations that read a dead letter's message whole up to {@link ClientSettings#DEFAULT_MAX_PAYLOAD_SIZE}. */
    public DefaultTaskQueueOperations(QueueAdmin admin, MessageCodec codec, TaskCatalog catalog) {
        this(admin, codec, catalog, ClientSettings.DEFAULT_MAX_PAYLOAD_SIZE);
    }

    /**
     * @param maxMessageSize the largest dead letter message read whole, in bytes ({@code taskqueue.max-payload-size}):
     *        a larger one is shown cut, and requeued as stored rather than as a fresh first attempt
     */
    public DefaultTaskQueueOperations(QueueAdmin admin, MessageCodec codec, TaskCatalog catalog, int maxMessageSize) {
        this.admin = admin;
        this.codec = codec;
        this.catalog = catalog;
        this.maxMessageSize = maxMessageSize;
    }

    @Override
    public List<DeadLetter> deadLetters(String queue, @Nullable String before, int count) {
        TaskDeclarations.checkQueueName(queue);
        if (count <= 0 || count > 1000) {
            throw new IllegalArgumentException("count must be between 1 and 1000, got " + count);
        }
        return admin.deadLetters(queue, DeadLetterRead.newestFirst(before, count, LISTED_TEXT_BYTES, PAGE_BYTES));
    }

    @Override
    public @Nullable DeadLetter deadLetter(String queue, String deadLetterId) {
        TaskDeclarations.checkQueueName(queue);
        String next = DeadLetterRead.idAfter(deadLetterId);
        if (next == null) {
            return null; // not a stream id, so no dead letter's
        }
        // Dead letter ids are stream ids: the page just older than the next id up starts with this one.
        for (DeadLetter letter : admin.deadLetters(queue, DeadLetterRead.newestFirst(next, 1, maxMessageSize,
                PAGE_BYTES))) {
            if (letter.id().equals(deadLetterId)) {
                return letter;
            }
        }
        return null;
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
        return forEachDeadLetter(queue, maxMessageSize, "requeue", this::requeue);
    }

    @Override
    public boolean deleteDeadLetter(String queue, String deadLetterId) {
        TaskDeclarations.checkQueueName(queue);
        return admin.deleteDeadLetter(queue, deadLetterId);
    }

    @Override
    public int deleteDeadLetters(String queue) {
        TaskDeclarations.checkQueueName(queue);
        return forEachDeadLetter(queue, ID_ONLY_TEXT_BYTES, "delete",
                letter -> admin.deleteDeadLetter(queue, letter.id()));
    }

    /**
     * Acts on the dead letters there now, oldest first, not on those that arrive meanwhile (a requeued task that
     * fails again): their ids are above the newest one now. A letter the action fails on is logged and left, and
     * the others are acted on; only Redis being unreachable stops it.
     *
     * @param maxTextBytes how much of each letter's texts the action needs
     * @return how many letters the action took
     */
    private int forEachDeadLetter(String queue, int maxTextBytes, String verb, Predicate<DeadLetter> action) {
        List<DeadLetter> newest = admin.deadLetters(queue, DeadLetterRead.newestFirst(null, 1, ID_ONLY_TEXT_BYTES,
                PAGE_BYTES));
        String bound = newest.isEmpty() ? null : DeadLetterRead.idAfter(newest.get(0).id());
        int done = 0;
        String after = null;
        List<DeadLetter> page;
        while (bound != null && !(page = admin.deadLetters(queue, DeadLetterRead.oldestFirst(after, bound, PAGE,
                maxTextBytes, PAGE_BYTES))).isEmpty()) {
            for (DeadLetter letter : page) {
                try {
                    if (action.test(letter)) {
                        done++;
                    }
                }
                catch (BrokerUnavailableException ex) {
                    throw ex;
                }
                catch (RuntimeException ex) {
                    log.warn("Could not {} dead letter {} of queue '{}' (task [{}]); it stays, and the others are "
                            + "acted on: {}", verb, letter.id(), queue, letter.taskId(), ex.toString());
                }
            }
            after = page.get(page.size() - 1).id();
        }
        return done;
    }

    @Override
    public boolean revoke(String taskId, boolean interruptIfRunning) {
        TaskIds.check(taskId);
        return admin.revoke(null, taskId, "revoked by an operator", interruptIfRunning);
    }

    @Override
    public boolean revoke(String queue, String taskId, boolean interruptIfRunning) {
        TaskIds.check(taskId);
        return admin.revoke(TaskDeclarations.checkQueueName(queue), taskId, "revoked by an operator",
                interruptIfRunning);
    }

    /**
     * A fresh first attempt of the letter's task. A message that cannot be read here (not a message, a field the
     * codec cannot take, or larger than the read kept) goes back as it is, saying why in the log: a worker that can
     * read it runs it, the others quarantine it again. A letter that names no task is left.
     */
    private boolean requeue(DeadLetter letter) {
        if (letter.taskId().isEmpty()) {
            log.warn("Dead letter {} of queue '{}' names no task id: it is not requeued; delete it", letter.id(),
                    letter.queue());
            return false;
        }
        byte[] body = null;
        int priority = 0;
        String unreadable = null;
        if (letter.messageSize() > maxMessageSize) {
            unreadable = "its message of " + letter.messageSize() + " bytes is larger than "
                    + "taskqueue.max-payload-size (" + maxMessageSize + " bytes)";
        }
        else {
            try {
                MessageCodec.Decoded decoded = codec.decode(letter.taskId(),
                        letter.message().getBytes(StandardCharsets.UTF_8));
                TaskMessage message = decoded.message();
                if (message.priority() < 0 || message.priority() > 9) {
                    throw new CorruptMessageException("priority " + message.priority() + " is not 0 to 9");
                }
                List<JsonNode> args = new ArrayList<>();
                decoded.args().forEach(args::add);
                body = codec.encodeBody(message.firstAttempt(), args);
                priority = message.priority();
            }
            catch (RuntimeException ex) { // CorruptMessageException, or a field of a shape the codec does not expect
                unreadable = "its message cannot be read (" + StoredText.cut(String.valueOf(ex.getMessage()), 1024)
                        + ")";
            }
        }
        boolean requeued = admin.requeueDeadLetter(letter.queue(), letter.id(), letter.taskId(), body, priority);
        if (requeued && unreadable != null) {
            log.warn("Dead letter {} of queue '{}' (task [{}]) was requeued as stored, not as a fresh first attempt: "
                    + "{}. A worker that can read it runs it; others quarantine it again", letter.id(),
                    letter.queue(), letter.taskId(), unreadable);
        }
        return requeued;
    }

    @Override
    public List<ChordStatus> chords(int max) {
        return admin.chords(max);
    }

    @Override
    public List<DeclaredTask> catalog() {
        return catalog.all();
    }
}
