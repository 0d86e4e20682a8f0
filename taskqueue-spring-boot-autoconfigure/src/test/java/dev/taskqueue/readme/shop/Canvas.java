package dev.taskqueue.readme.shop;

import java.time.Duration;
import java.util.List;

import dev.taskqueue.GroupHandle;
import dev.taskqueue.TaskCall;
import dev.taskqueue.TaskClient;
import dev.taskqueue.TaskHandle;
import dev.taskqueue.readme.shop.Domain.Accounting;
import dev.taskqueue.readme.shop.Domain.Alerts;
import dev.taskqueue.readme.shop.Domain.Imports;
import dev.taskqueue.readme.shop.Domain.Invoice;
import dev.taskqueue.readme.shop.Domain.Invoices;
import dev.taskqueue.readme.shop.Domain.Mail;
import dev.taskqueue.readme.shop.Domain.Orders;
import dev.taskqueue.readme.shop.Domain.Stats;

import static dev.taskqueue.Workflows.*;

/** README's "Workflows": chains, groups, chords and callbacks. */
class Canvas {

    private final TaskClient taskClient;

    Canvas(TaskClient taskClient) {
        this.taskClient = taskClient;
    }

    void workflows(String orderId, List<String> ids, List<TaskCall<Long>> parts, String file,
            String paymentId) {
        // tag::workflows[]
        // chain: each result becomes the first argument of the next step; the handle is the last step's
        TaskHandle<Invoice> invoice = taskClient.submit(chain(
                TaskCall.of(Orders::load, orderId),               // Order
                TaskCall.partial(Orders::price),                  // price(Order) -> PricedOrder
                TaskCall.partial(Invoices::render, "pdf")));      // render(PricedOrder, String format) -> Invoice
        TaskCall.of(Orders::load, orderId).then(Orders::price);   // the same, type-checked step by step

        // group: in parallel; results in submit order, and each member's state
        GroupHandle<Thumbnail> thumbs = taskClient.submit(group(ids.stream()
                .map(id -> TaskCall.of(Thumbnails::make, id, 200)).toList()));
        List<Thumbnail> all = thumbs.get(Duration.ofMinutes(1));
        thumbs.states();                                          // [SUCCESS, STARTED, PENDING, ...]
        taskClient.groupHandle(thumbs.id());                      // later, from any instance

        // chord: a group, then a callback exactly once with all the results, in order
        TaskHandle<Long> total = taskClient.submit(chord(group(parts), TaskCall.partial(Stats::sum)));

        // a step that ignores the previous result (Celery's si()), callbacks on any task
        chain(TaskCall.of(Imports::run, file), TaskCall.of(Mail::notifyOps, "import done").immutable());
        TaskCall.of(Payments::capture, paymentId)
                .link(TaskCall.partial(Accounting::book))         // with its result, when it succeeds
                .linkError(TaskCall.partial(Alerts::paymentFailed)); // with a TaskFailure, when it fails for good
        // end::workflows[]
    }
}
