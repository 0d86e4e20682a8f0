package dev.taskqueue.dashboard;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import dev.taskqueue.dashboard.access.ShowValues;
import dev.taskqueue.dashboard.autoconfigure.DashboardProperties;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.context.properties.bind.BindHandler;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.bind.handler.NoUnboundElementsBindHandler;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The dashboard's properties: their defaults, their metadata (each with a description), and every
 * {@code taskqueue.dashboard.*} line of the README's properties blocks and of the sample's
 * {@code application.properties} binds (a typo fails), as autoconfigure's README test does for the rest.
 */
class DashboardPropertiesTests {

    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    @Test
    void defaultsAreTheDocumentedOnes() {
        DashboardProperties properties = new DashboardProperties();

        assertThat(properties.getEnabled()).isNull();
        assertThat(properties.getPath()).isEqualTo(DashboardProperties.DEFAULT_PATH).isEqualTo("/taskqueue");
        assertThat(properties.isReadOnly()).isFalse();
        assertThat(properties.getShowValues()).isEqualTo(ShowValues.WHEN_AUTHORIZED);
        assertThat(properties.getMaxStreams()).isEqualTo(DashboardProperties.DEFAULT_MAX_STREAMS);
        assertThat(properties.getAuthorities().getRead()).isEqualTo("TASKQUEUE_READ");
        assertThat(properties.getAuthorities().getOperate()).isEqualTo("TASKQUEUE_OPERATE");
        assertThat(properties.getAuthorities().getAdmin()).isEqualTo("TASKQUEUE_ADMIN");
    }

    @Test
    void everyPropertyHasMetadataWithADescription() throws IOException {
        JsonNode metadata = JsonMapper.shared().readTree(Files.readString(
                Path.of("target/classes/META-INF/spring-configuration-metadata.json")));
        List<String> names = new ArrayList<>();
        metadata.get("properties").forEach(property -> {
            names.add(property.get("name").asString());
            assertThat(property.get("description")).as(property.get("name").asString()).isNotNull();
        });
        assertThat(names).contains("taskqueue.dashboard.enabled", "taskqueue.dashboard.path",
                "taskqueue.dashboard.read-only", "taskqueue.dashboard.show-values", "taskqueue.dashboard.trace-url",
                "taskqueue.dashboard.max-streams", "taskqueue.dashboard.authorities.read",
                "taskqueue.dashboard.authorities.operate", "taskqueue.dashboard.authorities.admin");
    }

    @Test
    void theReadmesAndTheSamplesDashboardPropertiesBind() throws IOException {
        List<String> lines = new ArrayList<>(Files.readString(
                ROOT.resolve("sample-app/src/main/resources/application.properties")).lines().toList());
        boolean inBlock = false;
        for (String line : Files.readString(ROOT.resolve("README.md")).lines().toList()) {
            if (line.startsWith("```")) {
                inBlock = line.equals("```properties");
            }
            else if (inBlock) {
                lines.add(line);
            }
        }
        Map<String, String> dashboard = lines.stream().map(String::strip)
                .filter(line -> line.startsWith("taskqueue.dashboard.") && line.contains("="))
                .collect(Collectors.toMap(line -> line.substring(0, line.indexOf('=')).strip(),
                        line -> line.substring(line.indexOf('=') + 1).strip(), (a, b) -> b));
        assertThat(dashboard).containsEntry("taskqueue.dashboard.enabled", "true");

        new Binder(new MapConfigurationPropertySource(dashboard)).bind("taskqueue.dashboard",
                Bindable.of(DashboardProperties.class), new NoUnboundElementsBindHandler(BindHandler.DEFAULT));
    }
}
