package dev.taskqueue.sample;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/**
 * The shipped Grafana dashboard ({@code alerting/grafana/taskqueue-dashboard.json}) parses, lets its user pick the
 * data source, job, queue and task, and each panel queries that data source. That every metric it reads exists is
 * {@link AlertingMetricsScrapeTest}'s part.
 */
class GrafanaDashboardTest {

    private static final Map<String, String> CHOSEN_DATASOURCE = Map.of("type", "prometheus", "uid", "${datasource}");

    @Test
    @SuppressWarnings("unchecked")
    void theDashboardHasADataSourceVariableAndQueueAndTaskVariables() throws Exception {
        Map<String, Object> templating = (Map<String, Object>) AlertingFiles.dashboard().get("templating");
        List<Map<String, Object>> variables = (List<Map<String, Object>>) templating.get("list");

        assertThat(variables).extracting(variable -> variable.get("name")).containsExactly("datasource", "job",
                "queue", "task");
        assertThat(variables.get(0)).containsEntry("type", "datasource").containsEntry("query", "prometheus");
        assertThat(variables.subList(1, 4)).allSatisfy(variable -> assertThat(variable)
                .containsEntry("type", "query").containsEntry("datasource", CHOSEN_DATASOURCE));
    }

    @Test
    @SuppressWarnings("unchecked")
    void everyPanelQueriesTheChosenDataSource() throws Exception {
        List<Map<String, Object>> panels = AlertingFiles.panels();

        assertThat(panels).hasSizeGreaterThanOrEqualTo(10).allSatisfy(panel -> {
            assertThat(panel).as("panel %s", panel.get("title")).containsEntry("datasource", CHOSEN_DATASOURCE)
                    .containsKeys("title", "gridPos", "type");
            List<Map<String, Object>> targets = (List<Map<String, Object>>) panel.get("targets");
            assertThat(targets).as("targets of %s", panel.get("title")).isNotEmpty().allSatisfy(target -> {
                assertThat(target).containsEntry("datasource", CHOSEN_DATASOURCE).containsKey("refId");
                assertThat((String) target.get("expr")).isNotBlank();
            });
            assertThat(targets).extracting(target -> target.get("refId")).doesNotHaveDuplicates();
        });
        assertThat(panels).extracting(panel -> panel.get("id")).doesNotHaveDuplicates();
    }

    /** What issue 13 asks of it: throughput, failures, run time, depth, lag, workers, dead letters, chords, schedules. */
    @Test
    void theDashboardShowsWhatAnOperatorLooksFor() throws Exception {
        assertThat(AlertingFiles.panels()).extracting(panel -> panel.get("title")).contains("Throughput",
                "Failures", "Failure ratio", "Run time", "Queue depth by state", "Queue lag", "Workers and consumers",
                "Dead letters", "Chords", "Schedules");
    }
}
