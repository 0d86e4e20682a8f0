package dev.taskqueue.client;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

import dev.taskqueue.GroupHandle;
import dev.taskqueue.TaskCall;
import dev.taskqueue.TaskHandle;
import dev.taskqueue.TaskNotSentException;
import dev.taskqueue.TransactionMode;
import dev.taskqueue.Unique;
import dev.taskqueue.Workflows;
import dev.taskqueue.broker.OutgoingMessage;
import dev.taskqueue.broker.WorkflowStore;
import dev.taskqueue.testing.TaskQueueFixture;
import dev.taskqueue.testing.TestTasks;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * Submissions held for a transaction: recorded in the caller's thread, written later (as JSON in between, as the
 * outbox keeps them), and written twice by a relay that retries, against a real Redis and worker.
 */
class DeferredSubmissionTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    private final TestTasks tasks = new TestTasks();
    private final TaskQueueFixture tq = new TaskQueueFixture(tasks, new Summing());
    private final List<Submission> held = new CopyOnWriteArrayList<>();
    private final List<CompletableFuture<SentSubmission>> sent = new CopyOnWriteArrayList<>();

    @AfterEach
    void close() {
        tq.close();
    }

    /** A transaction that holds every submission, deduplicated as the outbox's are. */
    private DefaultTaskClient transactional(boolean replayed) {
        return tq.client.withTransactions(mode -> new SubmitTransactions.Pending() {
            @Override
            public boolean replayed() {
                return replayed;
            }

            @Override
            public CompletableFuture<SentSubmission> add(Submission submission) {
                held.add(submission);
                CompletableFuture<SentSubmission> future = new CompletableFuture<>();
                sent.add(future);
                return future;
            }
        });
    }

    @Test
    void aHeldWorkflowWrittenTwiceFromItsJsonRunsEachTaskOnce() throws Exception {
        tq.startWorker();
        DefaultTaskClient client = transactional(true);
        TaskHandle<Integer> chord = client.submit(Workflows.chord(Workflows.group(TaskCall.of(TestTasks::add, 1, 2),
                TaskCall.of(TestTasks::add, 3, 4)), TaskCall.partial(Summing::sum)));
        TaskHandle<String> single = client.submit(TestTasks::echo, "held");
        GroupHandle<Integer> group = client.submit(Workflows.group(TaskCall.of(TestTasks::add, 5, 6)));
        assertThat(chord.sent()).isNotDone();
        Thread.sleep(300);
        assertThat(tasks.runs).isEmpty(); // held: nothing is in Redis

        Submission all = held.get(0).then(held.get(1)).then(held.get(2));
        assertThat(all.taskIds()).contains(single.id()).allSatisfy(id -> assertThat(id).isNotBlank());
        Submission read = SubmissionJson.read(SubmissionJson.write(all));
        SubmissionSender sender = new SubmissionSender(tq.broker, tq.workflows, tq.event());
        sender.send(read);
        sender.send(read); // a relay that died before deleting its row sends it again
        sent.forEach(future -> future.complete(SentSubmission.AS_SUBMITTED));

        assertThat(single.get(WAIT)).isEqualTo("held");
        assertThat(group.get(WAIT)).containsExactly(11);
        assertThat(chord.get(WAIT)).isEqualTo(10);
        Thread.sleep(300);
        assertThat(tasks.runsOf("held")).isEqualTo(1);
        assertThat(tasks.runsOf("add:1+2")).isEqualTo(1);
        assertThat(tasks.runsOf("add:5+6")).isEqualTo(1);
    }

    @Test
    void aHandleWhoseSubmissionIsNotSentFailsWithTheReason() {
        DefaultTaskClient client = transactional(false);
        TaskHandle<String> handle = client.submit(TestTasks::echo, "dropped");
        sent.get(0).completeExceptionally(new TaskNotSentException(List.of(handle.id()), "rolled back", null));
        assertThatExceptionOfType(TaskNotSentException.class).isThrownBy(() -> handle.get(WAIT))
                .withMessage("rolled back");
        assertThat(handle.future()).isCompletedExceptionally();
    }

    @Test
    void aBadCallFailsInTheCallersThreadAndNothingIsHeld() {
        DefaultTaskClient client = transactional(false);
        assertThatIllegalArgumentException().isThrownBy(() -> client.submit("test.add", 1));
        assertThat(held).isEmpty();
    }

    @Test
    void theJsonKeepsEveryFieldOfEveryWrite() {
        byte[] notUtf8 = { (byte) 0xff, 'x' };
        OutgoingMessage full = new OutgoingMessage("id-1", "t.one", "q", 7, "{\"a\":\"é\"}".getBytes(
                StandardCharsets.UTF_8), 250, 1_900_000_000_000L, true, 86_400_000L,
                new OutgoingMessage.UniqueClaim("t.one:k", Unique.Mode.DEBOUNCE, 5000), "parent-1");
        OutgoingMessage bare = new OutgoingMessage("id-2", "t.two", "q2", 0, notUtf8, 0, null, false, 1000, null,
                null);
        Submission submission = new Submission(List.of(
                new Submission.SaveGroup("g", List.of(new WorkflowStore.Member("id-1", "q"),
                        new WorkflowStore.Member("nested", "")), 60_000),
                new Submission.OpenChord("c", 2, "{\"body\":1}", "b-1", "t.body", 60_000),
                new Submission.Send(List.of(full, bare))));

        Submission read = SubmissionJson.read(SubmissionJson.write(submission));

        assertThat(read.writes()).hasSize(3);
        assertThat(read.writes().get(0)).isEqualTo(submission.writes().get(0));
        assertThat(read.writes().get(1)).isEqualTo(submission.writes().get(1));
        List<OutgoingMessage> messages = ((Submission.Send) read.writes().get(2)).messages();
        assertThat(messages.get(0)).usingRecursiveComparison().isEqualTo(full);
        assertThat(messages.get(1)).usingRecursiveComparison().isEqualTo(bare);
        assertThat(read.deduplicated().writes().get(2)).satisfies(write -> assertThat(((Submission.Send) write)
                .messages()).allMatch(OutgoingMessage::deduplicate));
    }

    @Test
    void jsonOfAnotherFormatIsRefusedSayingWhatToDo() {
        assertThatIllegalArgumentException().isThrownBy(() -> SubmissionJson.read("{\"v\":2,\"writes\":[]}"))
                .withMessageContaining("another taskqueue version");
        assertThatIllegalArgumentException().isThrownBy(() -> SubmissionJson.read("not json"))
                .withMessageContaining("not JSON");
    }

    @Test
    void theModeOfEachCallIsAskedFor() {
        List<TransactionMode> asked = new CopyOnWriteArrayList<>();
        DefaultTaskClient client = tq.client.withTransactions(mode -> {
            asked.add(mode);
            return null;
        });
        client.submit(TestTasks::echo, "a");
        client.withOptions(dev.taskqueue.TaskOptions.defaults().transactionMode(TransactionMode.OUTBOX))
                .submit(TestTasks::echo, "b");
        assertThat(asked).containsExactly(null, TransactionMode.OUTBOX);
    }

    /** A chord body. */
    public static class Summing {

        @dev.taskqueue.Task(name = "test.sum")
        public int sum(List<Integer> values) {
            return values.stream().mapToInt(Integer::intValue).sum();
        }
    }
}
