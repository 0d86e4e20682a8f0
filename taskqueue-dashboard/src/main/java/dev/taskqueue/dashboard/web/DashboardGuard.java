package dev.taskqueue.dashboard.web;

import java.io.IOException;
import java.util.Map;

import dev.taskqueue.dashboard.access.Caller;
import dev.taskqueue.dashboard.access.DashboardAccess;
import dev.taskqueue.dashboard.access.Right;
import dev.taskqueue.dashboard.audit.AuditEntry;
import dev.taskqueue.dashboard.audit.AuditRecorder;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.http.MediaType;
import org.springframework.web.method.HandlerMethod;
import org.springframework.web.servlet.HandlerInterceptor;
import org.springframework.web.servlet.HandlerMapping;

/**
 * Guards every request under the dashboard's path, in order:
 * <ol>
 * <li>adds the security headers: a strict Content Security Policy (no inline script or style, nothing from another
 * origin, no framing), {@code nosniff} and {@code no-referrer};</li>
 * <li>finds the caller ({@link DashboardAccess}): a request that may not reach the dashboard at all gets 403, and so
 * does a write without the CSRF token when the dashboard issued it (without Spring Security);</li>
 * <li>for a route ({@link Requires}): 401 when the caller is not authenticated, 403 when they lack the right, 403 for
 * an action in read-only mode (refused actions are audited);</li>
 * <li>hands the caller to the route as the request attribute {@link #CALLER}.</li>
 * </ol>
 * Static assets need no right (they hold no data), only that the request may reach the dashboard; a route that
 * declares no right is refused. This runs after
 * the application's security filters (Spring Security authenticates and checks CSRF first): it adds checks, never
 * removes one.
 */
public final class DashboardGuard implements HandlerInterceptor {

    /** The request attribute that holds the {@link Caller}. */
    public static final String CALLER = "dev.taskqueue.dashboard.caller";

    /** The Content Security Policy of every dashboard answer. */
    public static final String CONTENT_SECURITY_POLICY = "default-src 'self'; script-src 'self'; style-src 'self'; "
            + "img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

    private static final JsonMapper JSON = JsonMapper.shared();

    private final DashboardAccess access;
    private final boolean readOnly;
    private final AuditRecorder audit;

    public DashboardGuard(DashboardAccess access, boolean readOnly, AuditRecorder audit) {
        this.access = access;
        this.readOnly = readOnly;
        this.audit = audit;
    }

    @Override
    public boolean preHandle(HttpServletRequest request, HttpServletResponse response, Object handler)
            throws IOException {
        response.setHeader("Content-Security-Policy", CONTENT_SECURITY_POLICY);
        response.setHeader("X-Content-Type-Options", "nosniff");
        response.setHeader("Referrer-Policy", "no-referrer");
        Caller caller;
        try {
            caller = access.caller(request);
        }
        catch (DashboardAccess.AccessRefusedException ex) {
            return refuse(response, HttpServletResponse.SC_FORBIDDEN, ex.getMessage());
        }
        request.setAttribute(CALLER, caller);
        if (!access.csrfVerified(request)) {
            return refuse(response, HttpServletResponse.SC_FORBIDDEN, "A write to the taskqueue dashboard must carry "
                    + "the CSRF token its page hands out (the tq-csrf-header and tq-csrf-token meta tags).");
        }
        if (!(handler instanceof HandlerMethod method)) {
            return true; // a static asset
        }
        Requires requires = method.getMethodAnnotation(Requires.class);
        if (requires == null) { // fail closed: a route that declares no right is nobody's
            return refuse(response, HttpServletResponse.SC_FORBIDDEN, "This dashboard route declares no right.");
        }
        if (!caller.authenticated()) {
            return refuse(response, HttpServletResponse.SC_UNAUTHORIZED, "Sign in to use the taskqueue dashboard.");
        }
        Right needed = requires.value();
        String user = String.valueOf(caller.user());
        if (!caller.may(needed)) {
            deny(request, requires, user);
            return refuse(response, HttpServletResponse.SC_FORBIDDEN, "'" + user + "' lacks the " + needed.label()
                    + " right of the taskqueue dashboard: grant the authority that taskqueue.dashboard.authorities."
                    + needed.label() + " names.");
        }
        if (needed != Right.READ && readOnly) {
            deny(request, requires, user);
            return refuse(response, HttpServletResponse.SC_FORBIDDEN, "The taskqueue dashboard is read-only "
                    + "(taskqueue.dashboard.read-only=true): no action can be taken from it.");
        }
        return true;
    }

    private void deny(HttpServletRequest request, Requires requires, String user) {
        if (!requires.action().isEmpty()) {
            audit.record(user, requires.action(), target(request), 0, AuditEntry.DENIED);
        }
    }

    /** What the action names: the path variables of its route, joined by '/' (queue/dead letter, queue, ...). */
    static String target(HttpServletRequest request) {
        Object variables = request.getAttribute(HandlerMapping.URI_TEMPLATE_VARIABLES_ATTRIBUTE);
        if (variables instanceof Map<?, ?> map && !map.isEmpty()) {
            return String.join("/", map.values().stream().map(String::valueOf).toList());
        }
        return request.getRequestURI();
    }

    private static boolean refuse(HttpServletResponse response, int status, String message) throws IOException {
        response.setStatus(status);
        response.setContentType(MediaType.APPLICATION_JSON_VALUE);
        response.setCharacterEncoding("UTF-8");
        response.getWriter().write(JSON.writeValueAsString(Map.of("error", message)));
        return false;
    }
}
