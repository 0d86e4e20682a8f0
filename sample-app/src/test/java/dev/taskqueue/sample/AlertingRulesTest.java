package dev.taskqueue.sample;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

/**
 * The shipped Prometheus rules ({@code alerting/prometheus/taskqueue-rules.yml}): valid for Prometheus, each alert
 * firing in promtool's unit tests, and complete enough for an operator who is woken by one. That every metric they
 * read exists is {@link AlertingMetricsScrapeTest}'s part.
 */
class AlertingRulesTest {

    @Test
    void promtoolAcceptsTheRules() throws Exception {
        promtoolSucceeds("check", "rules", AlertingFiles.RULES);
    }

    /** Each alert fires on series made for it, and a look-alike (a paused queue, a rare task) does not. */
    @Test
    void promtoolUnitTestsFireEachAlert() throws Exception {
        promtoolSucceeds("test", "rules", AlertingFiles.RULES_TESTS);
    }

    /** The example configuration the README shows loads the rules, and Prometheus would accept it. */
    @Test
    void promtoolAcceptsTheExampleConfiguration() throws Exception {
        promtoolSucceeds("check", "config", AlertingFiles.EXAMPLE_CONFIG);
    }

    private static void promtoolSucceeds(String command, String what, Path file) throws Exception {
        Promtool.Result result = Promtool.require().run(file.getParent(), command, what,
                file.getFileName().toString());

        assertThat(result.exitCode()).as(result.output()).isZero();
        assertThat(result.output()).contains("SUCCESS");
    }

    @Test
    void theUnitTestsCoverEveryAlert() throws Exception {
        String tests = Files.readString(AlertingFiles.RULES_TESTS);

        assertThat(alerts()).isNotEmpty().allSatisfy(alert -> assertThat(tests)
                .contains("alertname: " + alert.get("alert")));
    }

    @Test
    @SuppressWarnings("unchecked")
    void everyAlertWaitsHasASeverityAndTellsWhatToDo() throws Exception {
        assertThat(alerts()).extracting(alert -> alert.get("alert")).containsExactlyInAnyOrder("TaskQueueLagHigh",
                "TaskQueueLagCritical", "TaskQueueFailureRatioHigh", "TaskQueueNoLiveWorkers",
                "TaskQueueDeadLettersGrowing", "TaskQueueChordsStalled", "TaskQueueScheduleNotTicking");
        assertThat(alerts()).allSatisfy(alert -> {
            assertThat((String) alert.get("for")).as("%s waits before firing", alert.get("alert")).matches("\\d+m");
            assertThat(((Map<String, String>) alert.get("labels")).get("severity")).isIn("warning", "critical");
            Map<String, String> annotations = (Map<String, String>) alert.get("annotations");
            assertThat(annotations.get("summary")).isNotBlank();
            assertThat(annotations.get("description")).contains("Runbook: ");
            if (((String) alert.get("expr")).contains("job_queue")) { // one alert per queue
                assertThat(annotations.get("summary")).as("names the queue").contains("{{ $labels.queue }}");
            }
        });
    }

    /** The alerts read recording rules of the same file, so loading that one file is enough. */
    @Test
    void theRecordingRulesTheRulesReadAreInTheFile() throws Exception {
        Set<String> recorded = AlertingFiles.recordedNames();

        assertThat(AlertingFiles.ruleExpressions()).allSatisfy(expr -> assertThat(AlertingFiles.namesIn(expr))
                .filteredOn(name -> name.contains(":")).allSatisfy(name -> assertThat(recorded).contains(name)));
    }

    @Test
    void metricNamesAreFoundInPromql() {
        assertThat(AlertingFiles.namesIn("""
                sum by (le, taskqueue_task) (rate(taskqueue_execute_seconds_bucket{taskqueue_queue=~"$queue"}[5m]))
                / on (job, queue) group_left (task) job_queue:taskqueue_queue_consumers:max
                unless label_replace(taskqueue_workers, "x", "taskqueue_other", "", "")"""))
                .containsExactly("taskqueue_execute_seconds_bucket", "job_queue:taskqueue_queue_consumers:max",
                        "taskqueue_workers");
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> alerts() throws Exception {
        return AlertingFiles.rules().stream().filter(rule -> rule.containsKey("alert")).toList();
    }
}
