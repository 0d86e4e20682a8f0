package dev.taskqueue.autoconfigure;

import java.io.InputStream;

import dev.taskqueue.Periodic;
import dev.taskqueue.Task;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatException;

/** Tasks and schedules that cannot be defined fail the startup with Boot's report, not a stack trace. */
@ExtendWith(OutputCaptureExtension.class)
class TaskDefinitionFailureAnalyzerTests {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(DataRedisAutoConfiguration.class,
                    TaskQueueAutoConfiguration.class, TaskQueueSchedulerAutoConfiguration.class))
            .withPropertyValues(TestTasks.redis());

    @Test
    void twoTasksWithOneNameAreReportedNamingBothMethods() {
        runner.withBean("greeter", Greeter.class).withBean("otherGreeter", OtherGreeter.class).run(context -> {
            FailureAnalysis analysis = analysis(context);
            assertThat(analysis.getDescription()).startsWith("Two methods declare the task 'greet': ")
                    .contains("Greeter.greet(String)").contains("bean 'otherGreeter'")
                    .contains("OtherGreeter.hello(String)");
            assertThat(analysis.getAction()).isEqualTo(TaskDefinitionFailureAnalyzer.ACTION);
        });
    }

    @Test
    void aParameterThatCannotTravelAsJsonIsReportedNamingTheBeanAndTheMethod() {
        runner.withBean("reader", Reader.class).run(context -> assertThat(analysis(context).getDescription())
                .contains("Task 'read'").contains("bean 'reader'").contains("Reader.read(InputStream)")
                .contains("parameter 'input' cannot travel as JSON"));
    }

    @Test
    void aWrongPeriodicIsReportedNamingTheTask() {
        runner.withBean("reports", WrongPeriodic.class).run(context -> assertThat(analysis(context).getDescription())
                .contains("@Periodic on task 'report'").contains("set exactly one of cron and fixedRate"));
    }

    @Test
    void aWrongScheduleInTheConfigurationIsReportedNamingTheProperty() {
        runner.withPropertyValues("taskqueue.schedules.digest.cron=@daily").run(context -> assertThat(
                analysis(context).getDescription()).isEqualTo("taskqueue.schedules.digest.task is missing: name the "
                        + "task each tick submits"));
    }

    @Test
    void twoSchedulesWithOneNameAreReported() {
        runner.withBean("ticker", Ticker.class)
                .withPropertyValues("taskqueue.schedules.tick.task=tick", "taskqueue.schedules.tick.fixed-rate=1h")
                .run(context -> assertThat(analysis(context).getDescription())
                        .startsWith("Two schedules are named 'tick': rename one"));
    }

    @Test
    void theStartupPrintsTheReportInsteadOfAStackTrace(CapturedOutput output) {
        SpringApplication application = new SpringApplication(Application.class, Greeter.class, OtherGreeter.class);
        application.setWebApplicationType(WebApplicationType.NONE);

        assertThatException().isThrownBy(() -> application.run("--taskqueue.broker=inline",
                "--spring.main.banner-mode=off"));

        assertThat(output).contains("APPLICATION FAILED TO START").contains("Two methods declare the task 'greet'")
                .contains(TaskDefinitionFailureAnalyzer.ACTION).doesNotContain("\tat dev.taskqueue");
    }

    private static FailureAnalysis analysis(AssertableApplicationContext context) {
        assertThat(context).hasFailed();
        FailureAnalysis analysis = new TaskDefinitionFailureAnalyzer().analyze(context.getStartupFailure());
        assertThat(analysis).as("the analysis of %s", context.getStartupFailure()).isNotNull();
        return analysis;
    }

    @Configuration(proxyBeanMethods = false)
    @ImportAutoConfiguration({ TaskQueueAutoConfiguration.class, TaskQueueSchedulerAutoConfiguration.class })
    static class Application {

    }

    public static class Greeter {

        @Task(name = "greet")
        public String greet(String name) {
            return "Hello " + name;
        }
    }

    public static class OtherGreeter {

        @Task(name = "greet")
        public String hello(String name) {
            return "Hi " + name;
        }
    }

    public static class Reader {

        @Task(name = "read")
        public int read(InputStream input) {
            return 0;
        }
    }

    public static class WrongPeriodic {

        @Task(name = "report")
        @Periodic(cron = "0 0 * * *", fixedRate = "1h")
        public void report() {
        }
    }

    public static class Ticker {

        @Task(name = "tick")
        @Periodic(fixedRate = "1h")
        public void tick() {
        }
    }
}
