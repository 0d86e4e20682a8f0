package dev.taskqueue.readme.periodic;

import dev.taskqueue.autoconfigure.TestTasks;
import dev.taskqueue.spring.TaskQueueScheduler;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Bean;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * README's periodic tasks start as an application declares them, under the names the README's actuator calls use
 * ({@code /actuator/taskqueue/schedules/nightly}).
 */
@SpringBootTest
@DirtiesContext
class HousekeepingTests {

    @DynamicPropertySource
    static void redis(DynamicPropertyRegistry registry) {
        TestTasks.redis(registry);
    }

    @Autowired
    TaskQueueScheduler scheduler;

    @Test
    void schedulesAreNamedAsTheReadmeCallsThem() {
        assertThat(scheduler.names()).containsExactlyInAnyOrder("nightly", "inventory.sync", "cleanup");
        assertThat(scheduler.isRunning()).as("the schedules tick on Redis").isTrue();
    }

    /** An application's main class: its component scan finds {@link Housekeeping}. */
    @SpringBootApplication
    static class HousekeepingApplication {

        @Bean
        Housekeeping.Reports reports() {
            return () -> {
            };
        }

        @Bean
        Housekeeping.Inventory inventory() {
            return () -> {
            };
        }
    }
}
