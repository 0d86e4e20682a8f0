package dev.taskqueue.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.time.Clock;
import java.time.Duration;

import dev.taskqueue.TaskCall;
import dev.taskqueue.TaskDefinitionException;
import dev.taskqueue.internal.TaskCatalog;
import dev.taskqueue.internal.TaskRegistry;
import dev.taskqueue.redis.RedisCatalog;
import dev.taskqueue.testing.TaskQueueFixture;
import dev.taskqueue.testing.TestTasks;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Schedules are checked against their tasks at startup, and their text arguments converted. */
class ScheduleCheckTest {

    private final TaskQueueFixture tq = new TaskQueueFixture(new TestTasks());

    @AfterEach
    void close() {
        tq.close();
    }

    private static Schedule digest(Object... args) {
        return Schedule.every("digest", Duration.ofHours(1), TaskCall.of("test.add", args));
    }

    private ScheduleCheck check(boolean allowUnknownTasks) {
        return new ScheduleCheck(tq.catalog, tq.mapper, allowUnknownTasks);
    }

    @Test
    void textArgumentsBecomeTheParameterTypes() {
        Schedule checked = check(false).check(digest("2", "3"), "taskqueue.schedules.digest", true);
        assertThat(checked.call().args()).containsExactly(2, 3);
    }

    @Test
    void textArgumentsThatCannotBeReadStopTheStartNamingTheSchedule() {
        assertThatThrownBy(() -> check(false).check(digest("weekly", "3"), "taskqueue.schedules.digest", true))
                .isInstanceOf(TaskDefinitionException.class)
                .hasMessageContaining("Schedule 'digest' (taskqueue.schedules.digest)")
                .hasMessageContaining("argument 1 ('weekly') cannot be read as int a")
                .hasMessageContaining("in the order of the task's parameters [a, b]");
    }

    @Test
    void theWrongNumberOfArgumentsStopsTheStart() {
        assertThatThrownBy(() -> check(false).check(digest("weekly"), "taskqueue.schedules.digest", true))
                .isInstanceOf(TaskDefinitionException.class)
                .hasMessageContaining("Task 'test.add' takes 2 argument(s) [a, b], but 1 were given");
        assertThatThrownBy(() -> check(false).check(digest(1, "x"), "Schedule bean", false))
                .isInstanceOf(TaskDefinitionException.class).hasMessageContaining("Schedule 'digest' (Schedule bean)")
                .hasMessageContaining("java.lang.String (JSON string) was given");
    }

    @Test
    void anUnknownTaskStopsTheStartUnlessUnknownTasksAreAllowed() {
        Schedule unknown = Schedule.every("mail", Duration.ofHours(1), TaskCall.of("mail.digst", "weekly"));
        assertThatThrownBy(() -> check(false).check(unknown, "taskqueue.schedules.mail", true))
                .isInstanceOf(TaskDefinitionException.class).hasMessageContaining("submits task 'mail.digst', "
                        + "which is unknown").hasMessageContaining("taskqueue.submit.allow-unknown-tasks=true");
        assertThat(check(true).check(unknown, "taskqueue.schedules.mail", true)).isSameAs(unknown);
    }

    @Test
    void aTaskOnlyTheCatalogKnowsIsCheckedAndConvertedByItsJsonTypes() {
        tq.startWorker(); // publishes test.add
        TaskCatalog otherService = new TaskCatalog(new TaskRegistry(tq.mapper, "default"),
                tq.stores.catalog(), tq.mapper, Clock.systemUTC());
        ScheduleCheck check = new ScheduleCheck(otherService, tq.mapper, false);

        Schedule checked = check.check(digest("2", "3"), "taskqueue.schedules.digest", true);
        assertThat(checked.call().args()).containsExactly(BigInteger.valueOf(2), BigInteger.valueOf(3));
        assertThat(tq.client.submit(checked.call()).get(Duration.ofSeconds(10))).isEqualTo(5);
        assertThatThrownBy(() -> check.check(digest("2", "x"), "taskqueue.schedules.digest", true))
                .hasMessageContaining("argument 2 ('x') cannot be read as JSON integer for int b");
    }
}
