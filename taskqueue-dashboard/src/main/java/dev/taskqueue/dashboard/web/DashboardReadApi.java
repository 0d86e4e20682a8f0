package dev.taskqueue.dashboard.web;

import java.util.List;

import dev.taskqueue.actuate.view.TaskQueueViews;
import dev.taskqueue.actuate.view.Views;
import dev.taskqueue.broker.FailureFilter;
import dev.taskqueue.dashboard.access.Caller;
import dev.taskqueue.dashboard.access.DashboardAccess;
import dev.taskqueue.dashboard.access.Right;
import dev.taskqueue.dashboard.access.ShowValues;
import dev.taskqueue.dashboard.audit.AuditRecorder;
import dev.taskqueue.dashboard.audit.AuditTrail;
import jakarta.servlet.http.HttpServletRequest;
import org.jspecify.annotations.Nullable;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestAttribute;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * The dashboard's JSON reads, {@code {base}/api/...}: each answers what one page shows, from the shared read model
 * ({@link TaskQueueViews}); each needs the read right ({@link DashboardGuard}). Values are shown as
 * {@code taskqueue.dashboard.show-values} says.
 */
@RestController
@RequestMapping("${taskqueue.dashboard.path:/taskqueue}/api")
public class DashboardReadApi {

    /** Entries of the audit page when the request names no count. */
    static final int DEFAULT_AUDIT_PAGE = 50;

    private final TaskQueueViews views;
    private final AuditRecorder audit;
    private final DashboardAccess access;
    private final ShowValues showValues;
    private final boolean readOnly;
    private final @Nullable String traceUrl;

    /**
     * @param readOnly whether actions are refused (told to the UI, which then shows none)
     * @param traceUrl the link to a trace, with {@code {traceId}} in it, or null
     */
    public DashboardReadApi(TaskQueueViews views, AuditRecorder audit, DashboardAccess access, ShowValues showValues,
            boolean readOnly, @Nullable String traceUrl) {
        this.views = views;
        this.audit = audit;
        this.access = access;
        this.showValues = showValues;
        this.readOnly = readOnly;
        this.traceUrl = traceUrl;
    }

    @GetMapping("/overview")
    @Requires(Right.READ)
    public Views.Overview overview(@RequestParam(defaultValue = "hour") String range) {
        return views.overview(range);
    }

    @GetMapping("/queues")
    @Requires(Right.READ)
    public List<Views.Queue> queues() {
        return views.queues();
    }

    @GetMapping("/queues/{queue}")
    @Requires(Right.READ)
    public Views.QueueDetail queue(@PathVariable String queue, @RequestParam(defaultValue = "hour") String range) {
        return views.queue(queue, range);
    }

    @GetMapping("/queues/{queue}/tasks")
    @Requires(Right.READ)
    public Views.Page<Views.TaskRow> tasks(@PathVariable String queue,
            @RequestParam(defaultValue = "pending") String state, @RequestParam(required = false) @Nullable String cursor,
            @RequestParam(required = false) @Nullable Integer count, @RequestAttribute(DashboardGuard.CALLER) Caller caller) {
        return views.tasks(queue, state, emptyToNull(cursor), count, showValues.shownTo(caller));
    }

    @GetMapping("/tasks/{id}")
    @Requires(Right.READ)
    public Views.TaskDetail task(@PathVariable String id, @RequestParam(required = false) @Nullable String queue,
            @RequestAttribute(DashboardGuard.CALLER) Caller caller) {
        return views.task(emptyToNull(queue), id, showValues.shownTo(caller), traceUrl);
    }

    @GetMapping("/workflows/{id}")
    @Requires(Right.READ)
    public Views.Workflow workflow(@PathVariable String id) {
        return views.workflow(id);
    }

    @GetMapping("/workers")
    @Requires(Right.READ)
    public List<Views.Worker> workers() {
        return views.workers();
    }

    @GetMapping("/schedules")
    @Requires(Right.READ)
    public List<Views.Schedule> schedules(@RequestAttribute(DashboardGuard.CALLER) Caller caller) {
        return views.schedules(showValues.shownTo(caller));
    }

    @GetMapping("/catalog")
    @Requires(Right.READ)
    public List<Views.CatalogTask> catalog() {
        return views.catalog();
    }

    @GetMapping("/failures")
    @Requires(Right.READ)
    public Views.Page<Views.TaskRow> failures(@RequestParam(required = false) @Nullable String task,
            @RequestParam(required = false) @Nullable String error, @RequestParam(required = false) @Nullable String text,
            @RequestParam(required = false) @Nullable String queue,
            @RequestParam(required = false) @Nullable String cursor,
            @RequestParam(required = false) @Nullable Integer count, @RequestAttribute(DashboardGuard.CALLER) Caller caller) {
        return views.failures(new FailureFilter(emptyToNull(queue), emptyToNull(task), emptyToNull(error),
                emptyToNull(text)), emptyToNull(cursor), count, showValues.shownTo(caller));
    }

    /** The transactional outbox and the rows its relay gave up on (404 when the application has no outbox). */
    @GetMapping("/outbox")
    @Requires(Right.READ)
    public Views.OutboxDetail outbox(@RequestParam(required = false) @Nullable Integer count,
            @RequestAttribute(DashboardGuard.CALLER) Caller caller) {
        return views.outbox(count, showValues.shownTo(caller));
    }

    @GetMapping("/search")
    @Requires(Right.READ)
    public Views.SearchResult search(@RequestParam String q, @RequestAttribute(DashboardGuard.CALLER) Caller caller) {
        return views.search(q.strip(), showValues.shownTo(caller));
    }

    @GetMapping("/audit")
    @Requires(Right.READ)
    public AuditTrail.Page audit(@RequestParam(required = false) @Nullable String cursor,
            @RequestParam(required = false) @Nullable Integer count) {
        int size = count == null ? DEFAULT_AUDIT_PAGE : count;
        if (size < 1 || size > TaskQueueViews.MAX_PAGE_SIZE) {
            throw new IllegalArgumentException("count must be between 1 and " + TaskQueueViews.MAX_PAGE_SIZE
                    + ", got " + size);
        }
        return audit.trail().page(emptyToNull(cursor), size);
    }

    /**
     * Who the caller is and what they may do: the UI shows only the actions they may take (the server checks them
     * anyway), and sends the CSRF token with each.
     *
     * @param user the caller's name
     * @param can their rights: read, operate, admin
     * @param readOnly whether every action is refused
     * @param csrf the CSRF token to send with actions, or null when none is expected
     */
    public record Me(@Nullable String user, List<String> can, boolean readOnly,
            DashboardAccess.@Nullable CsrfToken csrf) {
    }

    @GetMapping("/me")
    @Requires(Right.READ)
    public Me me(@RequestAttribute(DashboardGuard.CALLER) Caller caller, HttpServletRequest request) {
        return new Me(caller.user(), caller.labels(), readOnly, access.csrf(request));
    }

    static @Nullable String emptyToNull(@Nullable String value) {
        return value == null || value.isBlank() ? null : value;
    }
}
