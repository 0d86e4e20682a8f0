package dev.taskqueue.autoconfigure;

import static dev.taskqueue.Workflows.chain;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import dev.taskqueue.Periodic;
import dev.taskqueue.Task;
import dev.taskqueue.TaskCall;
import dev.taskqueue.TaskClient;
import dev.taskqueue.TaskContext;
import dev.taskqueue.TaskDefinitionException;
import dev.taskqueue.TaskInterceptor;
import dev.taskqueue.TaskOptions;
import dev.taskqueue.actuate.health.TaskQueueHealthIndicator;
import dev.taskqueue.autoconfigure.actuate.TaskQueueHealthContributorAutoConfiguration;
import dev.taskqueue.schedule.Schedule;
import dev.taskqueue.schedule.Scheduler;
import dev.taskqueue.spring.TaskQueueScheduler;
import dev.taskqueue.testing.SharedRedis;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/** Schedules from properties, @Periodic and beans; workflows through the auto-configured client and worker. */
class TaskQueueSchedulerAutoConfigurationTests {

    public static class Reports {
        final Map<String, List<String>> runs = new ConcurrentHashMap<>();

        @Task(name = "reports.render")
        public String render(String format, int copies) {
            runs.computeIfAbsent("render", k -> new CopyOnWriteArrayList<>()).add(format + "x" + copies + " "
                    + TaskContext.current().taskId());
            return format;
        }

        @Task(name = "reports.tick")
        @Periodic(fixedRate = "200ms")
        public void tick() {
            runs.computeIfAbsent("tick", k -> new CopyOnWriteArrayList<>()).add(TaskContext.current().taskId());
        }

        @Task(name = "reports.upper")
        public String upper(String text) {
            return text.toUpperCase();
        }
    }

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(DataRedisAutoConfiguration.class,
                    TaskQueueAutoConfiguration.class, TaskQueueSchedulerAutoConfiguration.class))
            .withPropertyValues(TestTasks.redis())
            .withBean(Reports.class);

    @BeforeEach
    void emptyRedis() {
        SharedRedis.flush();
    }

    /** The scheduler reads the time from the clock bean made for it (a test's fake time), and from no other. */
    @Test
    void theSchedulerReadsTheTimeOfItsOwnClockBean() {
        Instant frozen = Instant.parse("2030-01-01T00:00:00.100Z");
        runner.withBean(TaskQueueSchedulerAutoConfiguration.CLOCK_BEAN_NAME, Clock.class,
                () -> Clock.fixed(frozen, ZoneOffset.UTC)).run(context -> {
                    TaskQueueScheduler scheduler = context.getBean(TaskQueueScheduler.class);
                    assertThat(nextTick(scheduler, "reports.tick")).isEqualTo("2030-01-01T00:00:00.200Z");
                    assertThat(scheduler.submitDueTicks()).isEqualTo("2030-01-01T00:00:00.200Z");
                });
        runner.withBean("clock", Clock.class, () -> Clock.fixed(frozen, ZoneOffset.UTC))
                .run(context -> assertThat(nextTick(context.getBean(TaskQueueScheduler.class), "reports.tick"))
                        .as("the system's time").isAfter(Instant.now().minusSeconds(10)));
    }

    private static Instant nextTick(TaskQueueScheduler scheduler, String schedule) {
        return scheduler.schedules().stream().filter(info -> info.name().equals(schedule)).findFirst().orElseThrow()
                .nextTick();
    }

    @Test
    void schedulesFromPropertiesAnnotationsAndBeansTick() {
        runner.withPropertyValues("taskqueue.schedules.pdf.task=reports.render",
                "taskqueue.schedules.pdf.args[0]=pdf", "taskqueue.schedules.pdf.args[1]=2",
                "taskqueue.schedules.pdf.fixed-rate=200ms", "taskqueue.schedules.nightly.task=reports.render",
                "taskqueue.schedules.nightly.cron=0 0 2 * * *", "taskqueue.schedules.nightly.zone=Europe/Paris",
                "taskqueue.schedules.nightly.args=csv,1", "taskqueue.schedules.nightly.missed=run-once")
                .withBean("hourly", Schedule.class, () -> Schedule.every("bean-hourly", Duration.ofHours(1),
                        TaskCall.of("reports.tick")))
                .run(context -> {
                    Reports reports = context.getBean(Reports.class);
                    await().atMost(Duration.ofSeconds(10)).until(() -> reports.runs.getOrDefault("render",
                            List.of()).size() >= 2 && reports.runs.getOrDefault("tick", List.of()).size() >= 2);
                    assertThat(reports.runs.get("render").get(0)).startsWith("pdfx2 schedule:pdf:");
                    assertThat(reports.runs.get("tick").get(0)).startsWith("schedule:reports.tick:");

                    List<Scheduler.ScheduleInfo> schedules = context.getBean(TaskQueueScheduler.class).schedules();
                    assertThat(schedules).extracting(Scheduler.ScheduleInfo::name)
                            .containsExactlyInAnyOrder("reports.tick", "pdf", "nightly", "bean-hourly");
                    Scheduler.ScheduleInfo nightly = schedules.stream().filter(s -> s.name().equals("nightly"))
                            .findFirst().orElseThrow();
                    assertThat(nightly.trigger()).isEqualTo("cron '0 0 2 * * *' in Europe/Paris");
                    assertThat(nightly.missed()).isEqualTo(Schedule.MissedTicks.RUN_ONCE);
                    ZonedDateTime paris = ZonedDateTime.now(ZoneId.of("Europe/Paris"));
                    ZonedDateTime twoToday = paris.truncatedTo(ChronoUnit.DAYS).withHour(2);
                    Instant expected = (paris.isBefore(twoToday) ? twoToday : twoToday.plusDays(1)).toInstant();
                    assertThat(nightly.nextTick()).isEqualTo(expected); // the next 02:00 in Paris
                });
    }

    @Test
    void schedulerPropertyDefaultsAreTheEnginesDefaults() {
        TaskQueueSchedulerProperties.Scheduler defaults = new TaskQueueSchedulerProperties().getScheduler();

        assertThat(defaults.isEnabled()).isTrue();
        assertThat(defaults.getMisfireGrace()).isEqualTo(Scheduler.DEFAULT_MISFIRE_GRACE);
        assertThat(defaults.getRefreshInterval()).isEqualTo(Scheduler.DEFAULT_REFRESH_INTERVAL);
    }

    @Test
    void aScheduleWithoutTriggerFailsStartupNamingTheProperty() {
        runner.withPropertyValues("taskqueue.schedules.broken.task=reports.render").run(context -> assertThat(context)
                .getFailure().rootCause().hasMessage("taskqueue.schedules.broken needs exactly one of cron and "
                        + "fixed-rate"));
        runner.withPropertyValues("taskqueue.schedules.broken.cron=0 0 * * *").run(context -> assertThat(context)
                .getFailure().rootCause().hasMessageContaining("taskqueue.schedules.broken.task is missing"));
        runner.withPropertyValues("taskqueue.schedules.broken.task=x", "taskqueue.schedules.broken.cron=0 0 * * *",
                "taskqueue.schedules.broken.zone=Mars/Olympus").run(context -> assertThat(context).getFailure()
                        .rootCause().hasMessageContaining("Mars/Olympus"));
    }

    @Test
    void aScheduleWhoseArgumentsDoNotFitItsTaskStopsTheStartNamingIt() {
        runner.withPropertyValues("taskqueue.schedules.t2.task=reports.render", "taskqueue.schedules.t2.args=weekly",
                "taskqueue.schedules.t2.fixed-rate=1m").run(context -> assertThat(context).getFailure().rootCause()
                        .isInstanceOf(TaskDefinitionException.class)
                        .hasMessageContaining("Schedule 't2' (taskqueue.schedules.t2)")
                        .hasMessageContaining("Task 'reports.render' takes 2 argument(s) [format, copies], but 1 were"));
        runner.withPropertyValues("taskqueue.schedules.t2.task=reports.render", "taskqueue.schedules.t2.args=pdf,two",
                "taskqueue.schedules.t2.fixed-rate=1m").run(context -> assertThat(context).getFailure().rootCause()
                        .hasMessageContaining("argument 2 ('two') cannot be read as int copies"));
        runner.withPropertyValues("taskqueue.schedules.t2.task=reports.rendr", "taskqueue.schedules.t2.fixed-rate=1m")
                .run(context -> assertThat(context).getFailure().rootCause()
                        .hasMessageContaining("submits task 'reports.rendr', which is unknown"));
    }

    /** A tick refused at runtime (here by an interceptor) is reported, and every other schedule still ticks. */
    @Test
    void aScheduleThatFailsAtRuntimeIsReportedAndTheOthersStillTick() {
        runner.withConfiguration(AutoConfigurations.of(TaskQueueHealthContributorAutoConfiguration.class))
                .withPropertyValues("taskqueue.schedules.shout.task=reports.upper", "taskqueue.schedules.shout.args=hi",
                        "taskqueue.schedules.shout.fixed-rate=200ms")
                .withBean(TaskInterceptor.class, () -> new TaskInterceptor() {
                    @Override
                    public TaskOptions beforeSubmit(TaskCall<?> call, TaskOptions options) {
                        if (call.taskName().equals("reports.upper")) {
                            throw new IllegalStateException("upper is switched off");
                        }
                        return options;
                    }
                })
                .run(context -> {
                    Reports reports = context.getBean(Reports.class);
                    await().atMost(Duration.ofSeconds(10)).until(() -> reports.runs.getOrDefault("tick", List.of())
                            .size() >= 3);
                    TaskQueueScheduler scheduler = context.getBean(TaskQueueScheduler.class);
                    assertThat(scheduler.problems()).containsOnlyKeys("shout");
                    assertThat(scheduler.schedules()).filteredOn(info -> info.name().equals("shout")).singleElement()
                            .extracting(Scheduler.ScheduleInfo::problem).asString()
                            .contains("upper is switched off");
                    Health health = context.getBean(TaskQueueHealthIndicator.class).health(true);
                    assertThat(health.getStatus()).isEqualTo(Status.UP);
                    assertThat(health.getDetails().get("schedules")).asString().contains("shout")
                            .contains("upper is switched off");
                });
    }

    @Test
    void theSchedulerCanBeTurnedOffOnAnInstance() {
        runner.withPropertyValues("taskqueue.scheduler.enabled=false").run(context -> {
            Thread.sleep(800);
            assertThat(context.getBean(Reports.class).runs.get("tick")).isNull();
            assertThat(context.getBean(TaskQueueScheduler.class).schedules()).hasSize(1);
        });
    }

    @Test
    void workflowsRunThroughTheAutoConfiguredClientAndWorker() {
        runner.run(context -> {
            TaskClient client = context.getBean(TaskClient.class);
            assertThat(client.submit(chain(TaskCall.of(Reports::render, "pdf", 1), TaskCall.partial(Reports::upper)))
                    .get(Duration.ofSeconds(10))).isEqualTo("PDF");
        });
    }
}
