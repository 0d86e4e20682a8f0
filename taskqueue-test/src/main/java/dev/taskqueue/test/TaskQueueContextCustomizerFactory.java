package dev.taskqueue.test;

import java.util.List;

import org.jspecify.annotations.Nullable;

import org.springframework.test.context.ContextConfigurationAttributes;
import org.springframework.test.context.ContextCustomizer;
import org.springframework.test.context.ContextCustomizerFactory;
import org.springframework.test.context.TestContextAnnotationUtils;

/**
 * Finds {@link AutoConfigureTaskQueue @AutoConfigureTaskQueue} on a test class (its superclasses, or the classes a
 * {@code @Nested} one is in), registered in {@code META-INF/spring.factories} as Spring Boot's own test support is.
 */
final class TaskQueueContextCustomizerFactory implements ContextCustomizerFactory {

    @Override
    public @Nullable ContextCustomizer createContextCustomizer(Class<?> testClass,
            List<ContextConfigurationAttributes> configAttributes) {
        AutoConfigureTaskQueue annotation = TestContextAnnotationUtils.findMergedAnnotation(testClass,
                AutoConfigureTaskQueue.class);
        return annotation != null ? new TaskQueueContextCustomizer(annotation.worker()) : null;
    }
}
