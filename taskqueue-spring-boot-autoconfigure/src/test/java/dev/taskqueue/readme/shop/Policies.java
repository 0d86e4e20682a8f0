package dev.taskqueue.readme.shop;

import java.util.List;

import dev.taskqueue.Concurrency;
import dev.taskqueue.DeadLetter;
import dev.taskqueue.RetryPolicy;
import dev.taskqueue.Task;
import dev.taskqueue.TaskClient;
import dev.taskqueue.TaskHandle;
import dev.taskqueue.TaskOptions;
import dev.taskqueue.TaskQueueOperations;
import dev.taskqueue.TimeLimit;
import dev.taskqueue.Unique;
import dev.taskqueue.readme.shop.Domain.Dashboard;
import dev.taskqueue.readme.shop.Domain.Erp;
import dev.taskqueue.readme.shop.Domain.Mailer;
import dev.taskqueue.readme.shop.Domain.Report;
import dev.taskqueue.readme.shop.Domain.ReportRenderer;
import dev.taskqueue.readme.shop.Domain.SearchIndex;

/** README's "Execution policies": the calls, and the tasks that declare each policy. */
class Policies {

    private final TaskClient taskClient;

    private final TaskQueueOperations operations;

    Policies(TaskClient taskClient, TaskQueueOperations operations) {
        this.taskClient = taskClient;
        this.operations = operations;
    }

    void retryOnce(String id) {
        // tag::retry-call[]
        taskClient.withOptions(TaskOptions.defaults().retry(RetryPolicy.maxRetries(1))).submit(Payments::capture, id);
        // end::retry-call[]
    }

    void deadLetters(String id) {
        // tag::dead-letters[]
        List<DeadLetter> page = operations.deadLetters("images", null, 50);   // newest first; pass the last id for more
        DeadLetter one = operations.deadLetter("images", id);                  // or null
        operations.requeueDeadLetter("images", page.get(0).id());              // a fresh first attempt
        operations.requeueDeadLetters("images");  operations.deleteDeadLetter("images", id);
        // end::dead-letters[]
    }

    void revoke(TaskHandle<?> handle, String taskId) {
        // tag::revoke[]
        handle.revoke();                      // it will not start
        handle.revoke(true);                  // and if it runs, interrupt it (it ends REVOKED)
        operations.revoke(taskId, false);     // by id, in the one queue that has it
        operations.revoke("images", taskId, false);   // by id in a queue
        // end::revoke[]
    }

    static class Reports {

        private final ReportRenderer renderer;

        Reports(ReportRenderer renderer) {
            this.renderer = renderer;
        }

        // tag::time-limit[]
        @Task(name = "reports.render", timeLimit = @TimeLimit(soft = "5m", hard = "6m"))
        Report render(String reportId) { return renderer.render(reportId); }
        // end::time-limit[]

        // tag::concurrency[]
        @Task(name = "reports.build", concurrency = @Concurrency(limit = 2, key = "#customerId"))
        Report build(String customerId, int year) { return renderer.build(customerId, year); }
        // end::concurrency[]
    }

    static class Emails {

        private final Mailer mailer;

        Emails(Mailer mailer) {
            this.mailer = mailer;
        }

        // tag::rate-limit[]
        @Task(name = "emails.send", rateLimit = "100/s")       // also 20/m, 5/h, 10/2s
        void send(String to, String text) { mailer.send(to, text); }
        // end::rate-limit[]
    }

    static class Catalog {

        private final Erp erp;

        private final Dashboard dashboard;

        private final SearchIndex search;

        Catalog(Erp erp, Dashboard dashboard, SearchIndex search) {
            this.erp = erp;
            this.dashboard = dashboard;
            this.search = search;
        }

        // tag::unique[]
        @Task(name = "orders.sync",     unique = @Unique(key = "#orderId"))                                   // while queued or running
        void syncOrder(String orderId) { erp.push(orderId); }

        @Task(name = "stats.refresh",   unique = @Unique(key = "*", mode = Unique.Mode.WINDOW, window = "1m")) // once a minute
        void refreshStats() { dashboard.refresh(); }

        @Task(name = "search.reindex",  unique = @Unique(key = "#productId", mode = Unique.Mode.DEBOUNCE, window = "5s"))
        void reindex(String productId) { search.reindex(productId); }
        // DEBOUNCE: waits 5 s; a new submission meanwhile replaces its arguments (the latest win) and restarts the wait
        // end::unique[]
    }
}
