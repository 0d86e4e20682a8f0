package dev.taskqueue.celery.readme;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.taskqueue.celery.autoconfigure.TaskQueueCeleryProperties;
import org.junit.jupiter.api.Test;

import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.bind.BindHandler;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.bind.handler.NoUnboundElementsBindHandler;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationPropertySource;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.env.PropertiesPropertySourceLoader;
import org.springframework.core.env.PropertySource;
import org.springframework.core.io.ByteArrayResource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Every {@code taskqueue.celery.*} line of the README's {@code ```properties} blocks, and of the sample's
 * {@code application-celery.properties}, binds to {@link TaskQueueCeleryProperties} as Boot binds it; a key that does
 * not (a typo) fails. (Autoconfigure's README test binds the other {@code taskqueue.*} keys, and leaves these here.)
 */
class CeleryReadmePropertiesTest {

    private static final ConfigurationPropertyName CELERY = ConfigurationPropertyName.of("taskqueue.celery");

    @Test
    void theReadmesCeleryPropertiesBind() {
        StringBuilder lines = new StringBuilder();
        CeleryReadmePythonTest.blocks(CeleryReadmePythonTest.read(CeleryReadmePythonTest.ROOT.resolve("README.md")),
                "properties").forEach(lines::append);

        TaskQueueCeleryProperties bound = bind(lines.toString());

        assertThat(bound.getQueues()).contains("celery", "java");
        assertThat(bound.getRoutes()).containsEntry("proj.*", "celery");
        assertThat(bound.getWorker().getQueues()).contains("java");
    }

    @Test
    void theSamplesCeleryProfileBinds() {
        TaskQueueCeleryProperties bound = bind(CeleryReadmePythonTest.read(CeleryReadmePythonTest.ROOT
                .resolve("sample-app/src/main/resources/application-celery.properties")));

        assertThat(bound.getQueues()).containsExactly("celery", "java");
        assertThat(bound.getRoutes()).isEqualTo(Map.of("tasks.*", "celery"));
        assertThat(bound.getWorker().getQueues()).containsExactly("java");
    }

    @Test
    void aTypoFails() {
        assertThatThrownBy(() -> bind("taskqueue.celery.worker.queue=java\n")).isInstanceOf(BindException.class)
                .hasStackTraceContaining("taskqueue.celery.worker.queue");
    }

    private static TaskQueueCeleryProperties bind(String properties) {
        List<ConfigurationPropertySource> sources = new ArrayList<>();
        for (PropertySource<?> source : load(properties)) {
            ConfigurationPropertySources.from(source).forEach(each -> sources.add(each.filter(CELERY::isAncestorOf)));
        }
        return new Binder(sources).bindOrCreate(CELERY, Bindable.of(TaskQueueCeleryProperties.class),
                new NoUnboundElementsBindHandler(BindHandler.DEFAULT));
    }

    private static List<PropertySource<?>> load(String properties) {
        try {
            return new PropertiesPropertySourceLoader().load("README.md",
                    new ByteArrayResource(properties.getBytes(StandardCharsets.ISO_8859_1), "README.md"));
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }
}
