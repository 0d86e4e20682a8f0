package dev.taskqueue.outbox;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import com.zaxxer.hikari.HikariDataSource;
import dev.taskqueue.actuate.view.OutboxOperations;
import dev.taskqueue.broker.OutgoingMessage;
import dev.taskqueue.client.Submission;
import dev.taskqueue.client.SubmissionJson;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The outbox as operators see it ({@link OutboxOperations}, which the actuator endpoint and the dashboard show), over
 * the real table on H2 and PostgreSQL: a failed row names the tasks whose arguments its preview may show, so that the
 * read model can mask what they declare sensitive.
 */
class JdbcOutboxOperationsTests {

    interface OperationsTest {
        void run(JdbcOutboxStore store, OutboxOperations outbox) throws Exception;
    }

    private static void withOutbox(TestDatabase database, OperationsTest test) throws Exception {
        try (HikariDataSource dataSource = database.pool(database.newDatabase())) {
            JdbcOutboxStore store = TestDatabase.storeOn(dataSource);
            test.run(store, new JdbcOutboxOperations(store));
        }
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.class)
    void aRowTheRelayGaveUpOnIsShownWithTheTasksItsPreviewMayShowThenRetriedOrDeleted(TestDatabase database)
            throws Exception {
        withOutbox(database, (store, outbox) -> {
            String payload = SubmissionJson.write(new Submission(List.of(new Submission.Send(List.of(
                    message("m1", "mail.login", "{\"task\":\"mail.login\",\"args\":[\"ada\",\"hunter2\"]}"))))));
            store.add(payload);
            store.add("not a submission");
            store.relayRound(10, rows -> Map.of(rows.get(0).id(), "Unknown queue 'nowhere'", rows.get(1).id(),
                    "Not a taskqueue submission"));
            store.add("pending");

            OutboxOperations.Status status = outbox.status();
            assertThat(status.pending()).isOne();
            assertThat(status.failed()).isEqualTo(2);
            assertThat(status.table()).isEqualTo(OutboxTable.DEFAULT_NAME);
            List<OutboxOperations.FailedRow> failed = outbox.failed(10);
            assertThat(failed).hasSize(2);
            assertThat(failed.get(0)).satisfies(row -> {
                assertThat(row.error()).isEqualTo("Unknown queue 'nowhere'");
                assertThat(row.tasks()).containsExactly("mail.login");
                assertThat(row.preview()).as("masked by the read model, not here").contains("hunter2")
                        .isEqualTo(payload.substring(0, Math.min(payload.length(), JdbcOutboxStore.PREVIEW_LENGTH)));
                assertThat(row.payloadLength()).isEqualTo(payload.length());
                assertThat(row.failedAt()).isAfterOrEqualTo(row.createdAt());
            });
            assertThat(failed.get(1).tasks()).isEmpty();
            assertThat(outbox.failed(1)).hasSize(1);

            assertThat(outbox.retry(failed.get(0).id())).isTrue();
            assertThat(outbox.retry(failed.get(0).id())).as("pending now").isFalse();
            assertThat(outbox.delete(failed.get(1).id())).isTrue();
            assertThat(outbox.delete(failed.get(1).id())).isFalse();
            assertThat(outbox.status().pending()).isEqualTo(2);
            assertThat(outbox.status().failed()).isZero();
        });
    }

    @Test
    void taskNamesAreFoundInMessagesAndInTheirEscapedBodiesEachOnce() {
        String chord = SubmissionJson.write(new Submission(List.of(new Submission.OpenChord("c1", 1,
                "{\"task\":\"reports.merge\",\"args\":[]}", "b1", "reports.merge", 60_000),
                new Submission.Send(List.of(message("m1", "reports.part", "{\"task\":\"reports.part\",\"args\":[1]}"),
                        message("m2", "reports.part", "{\"task\":\"reports.part\",\"args\":[2]}"))))));

        assertThat(JdbcOutboxOperations.taskNames(chord)).containsExactly("reports.merge", "reports.part");
        assertThat(JdbcOutboxOperations.taskNames("{\"v\":1,\"writes\":[{\"send\":[{\"id\":\"m1\",\"ta"))
                .as("cut before the name").isEmpty();
        assertThat(JdbcOutboxOperations.taskNames("x".repeat(200))).isEmpty();
    }

    private static OutgoingMessage message(String id, String task, String body) {
        return new OutgoingMessage(id, task, "default", 0, body.getBytes(StandardCharsets.UTF_8), 0, null, true,
                60_000, null, null);
    }
}
