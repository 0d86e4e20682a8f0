package dev.taskqueue.dashboard.web;

import java.util.function.Supplier;

import dev.taskqueue.actuate.view.InvalidViewRequestException;
import dev.taskqueue.actuate.view.TaskQueueViews;
import dev.taskqueue.broker.FailureFilter;
import dev.taskqueue.dashboard.access.Caller;
import dev.taskqueue.dashboard.access.Right;
import dev.taskqueue.dashboard.access.ShowValues;
import dev.taskqueue.dashboard.stream.DashboardStreams;
import org.jspecify.annotations.Nullable;

import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestAttribute;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/**
 * {@code GET {base}/api/stream?view=...}: the live updates of one view, as server-sent events whose data is what the
 * view's JSON route answers: {@code overview}, {@code queues}, {@code queue:<name>}, {@code workers},
 * {@code task:<id>} (with {@code &queue=} when several queues have the id) or {@code failures}.
 */
@RestController
@RequestMapping("${taskqueue.dashboard.path:/taskqueue}/api")
public class DashboardStreamApi {

    private final TaskQueueViews views;
    private final DashboardStreams streams;
    private final ShowValues showValues;
    private final @Nullable String traceUrl;

    public DashboardStreamApi(TaskQueueViews views, DashboardStreams streams, ShowValues showValues,
            @Nullable String traceUrl) {
        this.views = views;
        this.streams = streams;
        this.showValues = showValues;
        this.traceUrl = traceUrl;
    }

    @GetMapping(path = "/stream", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
    @Requires(Right.READ)
    public SseEmitter stream(@RequestParam String view, @RequestParam(required = false) @Nullable String queue,
            @RequestAttribute(DashboardGuard.CALLER) Caller caller) {
        boolean withValues = showValues.shownTo(caller);
        return streams.open(view + "|" + queue + "|" + withValues, reader(view, queue, withValues));
    }

    private Supplier<Object> reader(String view, @Nullable String queue, boolean withValues) {
        int colon = view.indexOf(':');
        String kind = colon < 0 ? view : view.substring(0, colon);
        String name = colon < 0 ? "" : view.substring(colon + 1);
        return switch (kind) {
            case "overview" -> () -> views.overview("hour");
            case "queues" -> views::queues;
            case "workers" -> views::workers;
            case "failures" -> () -> views.failures(new FailureFilter(null, null, null, null), null, null, withValues);
            case "queue" -> {
                views.model().existingQueue(name); // 404 now rather than an error event each second
                yield () -> views.queue(name, "hour");
            }
            case "task" -> {
                String where = DashboardReadApi.emptyToNull(queue);
                yield () -> views.task(where, name, withValues, traceUrl);
            }
            default -> throw new InvalidViewRequestException("'" + view + "' is not a view to follow: use overview, "
                    + "queues, queue:<name>, workers, task:<id> or failures");
        };
    }
}
