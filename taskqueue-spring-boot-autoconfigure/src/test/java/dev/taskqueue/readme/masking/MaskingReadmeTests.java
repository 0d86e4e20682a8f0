package dev.taskqueue.readme.masking;

import dev.taskqueue.autoconfigure.TaskQueueAutoConfiguration;
import dev.taskqueue.internal.Masking;
import dev.taskqueue.autoconfigure.TestTasks;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

/** The README's sensitive values: masked as its masker says, whatever else the arguments hold. */
class MaskingReadmeTests {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(JacksonAutoConfiguration.class, DataRedisAutoConfiguration.class,
                    TaskQueueAutoConfiguration.class))
            .withPropertyValues(TestTasks.redis()).withPropertyValues("taskqueue.worker.enabled=false")
            .withUserConfiguration(Cards.class, Masks.class);

    @Test
    void theCardNumberShowsItsLastFourDigitsAndTheCvcIsHidden() {
        runner.run(context -> {
            String masked = context.getBean(Masking.class).arguments("cards.charge",
                    "[{\"holder\":\"Ada\",\"number\":\"4111111111111111\"},\"123\",500]");
            assertThat(masked).contains("\"Ada\"").contains("****1111").contains("\"******\"").contains("500")
                    .doesNotContain("4111111111111111").doesNotContain("\"123\"");
        });
    }
}
