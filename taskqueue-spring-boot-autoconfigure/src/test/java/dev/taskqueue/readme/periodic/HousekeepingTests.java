package dev.taskqueue.readme.periodic;

import dev.taskqueue.spring.TaskQueueScheduler;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Bean;
import org.springframework.test.annotation.DirtiesContext;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * README's periodic tasks start as an application declares them, under the names the README's actuator calls use
 * ({@code /actuator/taskqueue/schedules/nightly}).
 */
@SpringBootTest(properties = "taskqueue.broker=memory")
@DirtiesContext
class HousekeepingTests {

    @Autowired
    TaskQueueScheduler scheduler;

    @Test
    void schedulesAreNamedAsTheReadmeCallsThem() {
        assertThat(scheduler.names()).containsExactlyInAnyOrder("nightly", "inventory.sync", "cleanup");
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
