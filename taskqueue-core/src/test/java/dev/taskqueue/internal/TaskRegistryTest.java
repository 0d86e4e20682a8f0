package dev.taskqueue.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.annotation.JsonTypeInfo;
import dev.taskqueue.Task;
import dev.taskqueue.TaskCall;
import dev.taskqueue.TaskDefinitionException;
import dev.taskqueue.testing.TestTasks;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

/** Startup fails fast, naming the bean and the method, on declarations that could never run. */
class TaskRegistryTest {

    private final TaskRegistry registry = new TaskRegistry(JsonMapper.builder().build(), "default");

    static class Defaults {
        @Task
        public String unnamed(String value) {
            return value;
        }
    }

    static class First {
        @Task(name = "shared")
        public void one() {
        }
    }

    static class Second {
        @Task(name = "shared")
        public void two() {
        }
    }

    static class Streams {
        @Task(name = "upload")
        public void upload(String name, InputStream content) {
        }
    }

    /** A JDK class that looks like data, but that no constructor of Jackson's reads. */
    static class Images {
        @Task(name = "resize")
        public void resize(java.awt.image.BufferedImage image, int width) {
        }
    }

    interface Shape {
    }

    static class Shapes {
        @Task(name = "draw")
        public void draw(Shape shape) {
        }
    }

    @JsonTypeInfo(use = JsonTypeInfo.Id.CLASS)
    interface Unsafe {
    }

    static class Gadgets {
        @Task(name = "gadget")
        public void gadget(Unsafe unsafe) {
        }
    }

    static class NoCreator {
        private final String value;

        NoCreator(String value, int other) {
            this.value = value + other;
        }

        public String getValue() {
            return value;
        }
    }

    static class Results {
        @Task(name = "noCreator")
        public NoCreator make() {
            return new NoCreator("a", 1);
        }
    }

    static class Fine {
        @Task(name = "fine")
        public Map<String, List<TestTasks.Thumbnail>> fine(Optional<String> a, List<Integer> b, int[] c) {
            return Map.of();
        }
    }

    static class Private {
        @Task(name = "hidden")
        private void hidden() {
        }
    }

    @Test
    void aTaskWithoutANameIsNamedAfterItsClassAndMethod() {
        registry.register("defaults", new Defaults(), Defaults.class);

        assertThat(registry.find("dev.taskqueue.internal.TaskRegistryTest$Defaults.unnamed")).isNotNull();
        assertThat(TaskCall.of(Defaults::unnamed, "x").taskName())
                .isEqualTo("dev.taskqueue.internal.TaskRegistryTest$Defaults.unnamed");
    }

    @Test
    void twoMethodsWithOneNameFailNamingBoth() {
        registry.register("first", new First(), First.class);

        assertThatThrownBy(() -> registry.register("second", new Second(), Second.class))
                .isInstanceOf(TaskDefinitionException.class)
                .hasMessageContaining("Two methods declare the task 'shared'")
                .hasMessageContaining("bean 'first', method dev.taskqueue.internal.TaskRegistryTest$First.one()")
                .hasMessageContaining("bean 'second', method dev.taskqueue.internal.TaskRegistryTest$Second.two()");
    }

    @Test
    void aParameterThatCannotTravelAsJsonFailsNamingBeanMethodAndParameter() {
        assertThatThrownBy(() -> registry.register("streams", new Streams(), Streams.class))
                .isInstanceOf(TaskDefinitionException.class)
                .hasMessageContaining("bean 'streams'").hasMessageContaining("Streams.upload(String, InputStream)")
                .hasMessageContaining("parameter 'content'").hasMessageContaining("live resource");
    }

    @Test
    void aJdkClassJacksonCannotReadFailsAtStartupRatherThanAtSubmit() {
        assertThatThrownBy(() -> registry.register("images", new Images(), Images.class))
                .isInstanceOf(TaskDefinitionException.class).hasMessageContaining("parameter 'image'")
                .hasMessageContaining("Jackson cannot read java.awt.image.BufferedImage");
    }

    @Test
    void anInterfaceParameterWithoutTypeInformationFails() {
        assertThatThrownBy(() -> registry.register("shapes", new Shapes(), Shapes.class))
                .isInstanceOf(TaskDefinitionException.class).hasMessageContaining("parameter 'shape'")
                .hasMessageContaining("@JsonTypeInfo(use = Id.NAME)");
    }

    @Test
    void classNamesInPayloadsAreRefused() {
        assertThatThrownBy(() -> registry.register("gadgets", new Gadgets(), Gadgets.class))
                .isInstanceOf(TaskDefinitionException.class).hasMessageContaining("use = CLASS");
    }

    @Test
    void aResultJacksonCannotReadBackFails() {
        assertThatThrownBy(() -> registry.register("results", new Results(), Results.class))
                .isInstanceOf(TaskDefinitionException.class).hasMessageContaining("its result cannot travel");
    }

    @Test
    void collectionsOptionalsArraysAndRecordsTravel() {
        assertThat(registry.register("fine", new Fine(), Fine.class)).isEqualTo(1);
        assertThat(registry.find("fine").parameterNames()).containsExactly("a", "b", "c");
    }

    @Test
    void aPrivateTaskMethodFails() {
        assertThatThrownBy(() -> registry.register("private", new Private(), Private.class))
                .isInstanceOf(TaskDefinitionException.class).hasMessageContaining("static or private");
    }

    @Test
    void aLambdaIsNotAMethodReference() {
        dev.taskqueue.TaskMethod.Function1<TestTasks, String, String> lambda = (bean, value) -> value;

        assertThatThrownBy(() -> TaskCall.of(lambda, "x")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not a lambda");
    }

    @Test
    void aMethodWithoutTaskIsRefused() {
        assertThatThrownBy(() -> TaskCall.of(String::trim)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("is not annotated with @Task");
    }

    @Test
    void generatedIdsAreTimeOrderedUuidV7() {
        String a = dev.taskqueue.TaskIds.next();
        String b = dev.taskqueue.TaskIds.next();

        assertThat(a).matches("[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
        assertThat(a.compareTo(b)).isNegative();
        assertThat(java.util.UUID.fromString(a).version()).isEqualTo(7);
    }
}
