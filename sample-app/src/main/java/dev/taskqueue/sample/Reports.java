package dev.taskqueue.sample;

import dev.taskqueue.Periodic;
import dev.taskqueue.Task;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/** A periodic task: however many instances of the shop run, each tick runs once. */
@Component
public class Reports {

    private static final Logger log = LoggerFactory.getLogger(Reports.class);

    private final Orders orders;

    public Reports(Orders orders) {
        this.orders = orders;
    }

    /** Every five minutes (see it, with its next tick, at GET /actuator/taskqueue/schedules). */
    @Task(name = "reports.orders")
    @Periodic(cron = "0 */5 * * * *", zone = "UTC")
    public int ordersReport() {
        int count = orders.count();
        log.info("{} orders placed so far", count);
        return count;
    }
}
