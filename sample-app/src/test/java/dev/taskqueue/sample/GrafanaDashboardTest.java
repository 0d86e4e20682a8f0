package dev.taskqueue.sample;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;

/**
 * The shipped Grafana dashboard ({@code alerting/grafana/taskqueue-dashboard.json}) parses, lets its user pick the
 * data source, job, queue and task, and each panel queries that data source in valid PromQL. That every metric it
 * reads exists is {@link AlertingMetricsScrapeTest}'s part.
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

    /**
     * Each panel's query parses as PromQL: promtool checks them as recording rules, with Grafana's variables
     * replaced by what they stand for ({@code $__rate_interval}: a range; {@code $queue} and the others: any value).
     */
    @Test
    @SuppressWarnings("unchecked")
    void everyPanelQueryIsValidPromql(@TempDir Path folder) throws Exception {
        List<Map<String, Object>> rules = new ArrayList<>();
        for (Map<String, Object> panel : AlertingFiles.panels()) {
            for (Map<String, Object> target : (List<Map<String, Object>>) panel.get("targets")) {
                String expr = ((String) target.get("expr")).replace("$__rate_interval", "5m")
                        .replaceAll("\\$\\w+", ".*");
                rules.add(Map.of("record", "dashboard:panel_" + panel.get("id") + "_" + target.get("refId"),
                        "expr", expr));
            }
        }
        Path file = folder.resolve("dashboard-queries.yml");
        Files.writeString(file, new Yaml().dump(Map.of("groups", List.of(Map.of("name", "dashboard", "rules",
                rules)))));

        Promtool.Result checked = Promtool.require().run(folder, "check", "rules", file.getFileName().toString());

        assertThat(checked.exitCode()).as(checked.output()).isZero();
        assertThat(checked.output()).contains("SUCCESS: " + rules.size() + " rules found");
    }

    /** What issue 13 asks of it: throughput, failures, run time, depth, lag, workers, dead letters, chords, schedules. */
    @Test
    void theDashboardShowsWhatAnOperatorLooksFor() throws Exception {
        assertThat(AlertingFiles.panels()).extracting(panel -> panel.get("title")).contains("Throughput",
                "Failures", "Failure ratio", "Run time", "Queue depth by state", "Queue lag", "Workers and consumers",
                "Dead letters", "Chords", "Schedules");
    }
}
