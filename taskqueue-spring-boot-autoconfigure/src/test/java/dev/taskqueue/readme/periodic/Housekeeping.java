package dev.taskqueue.readme.periodic;

import java.time.Duration;

import dev.taskqueue.Periodic;
import dev.taskqueue.Task;
import dev.taskqueue.TaskCall;
import dev.taskqueue.schedule.Schedule;

import org.springframework.context.annotation.Bean;
import org.springframework.stereotype.Component;

/** README's "Periodic tasks": schedules declared on task methods, and one declared as a bean. */
@Component
class Housekeeping {

    private final Reports reports;

    private final Inventory inventory;

    Housekeeping(Reports reports, Inventory inventory) {
        this.reports = reports;
        this.inventory = inventory;
    }

    // tag::periodic[]
    @Task(name = "reports.nightly", queue = "reports")
    @Periodic(name = "nightly", cron = "0 0 2 * * *", zone = "Europe/Paris")   // 6 fields with seconds, 5 without, or @hourly...
    void nightly() { reports.sendNightly(); }

    @Task(name = "inventory.sync")
    @Periodic(fixedRate = "5m", missed = Schedule.MissedTicks.RUN_ONCE)
    void sync() { inventory.sync(); }

    @Bean
    Schedule cleanup() {                                       // or as a bean, with arguments
        return Schedule.every("cleanup", Duration.ofHours(1), TaskCall.of(Files::purgeOlderThan, "P7D"));
    }
    // end::periodic[]

    interface Reports {

        void sendNightly();
    }

    interface Inventory {

        void sync();
    }

    /** The task the bean schedule calls. */
    @Component
    static class Files {

        @Task(name = "files.purge")
        void purgeOlderThan(String maxAge) {
        }
    }
}
