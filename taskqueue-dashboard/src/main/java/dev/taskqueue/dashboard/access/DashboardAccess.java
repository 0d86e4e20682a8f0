package dev.taskqueue.dashboard.access;

import jakarta.servlet.http.HttpServletRequest;
import org.jspecify.annotations.Nullable;

/** Tells who calls the dashboard: from Spring Security when it is present, else from where the request comes. */
public interface DashboardAccess {

    /**
     * The caller of this request.
     *
     * @throws AccessRefusedException when the request may not reach the dashboard at all (not from loopback without
     *         Spring Security)
     */
    Caller caller(HttpServletRequest request);

    /** The CSRF token the application's security expects on a write, or null when it expects none. */
    @Nullable
    CsrfToken csrf(HttpServletRequest request);

    /**
     * Whether a write (POST, DELETE) carries the CSRF token this access issued itself; true when the application's
     * security checks CSRF (Spring Security's filter did, before the dashboard ran).
     */
    default boolean csrfVerified(HttpServletRequest request) {
        return true;
    }

    /**
     * A CSRF token, as the shell page passes it to the UI.
     *
     * @param header the request header to send it in
     * @param parameter the form parameter that could carry it instead
     * @param token its value
     */
    record CsrfToken(String header, String parameter, String token) {
    }

    /** A request that may not reach the dashboard: 403 whoever sends it. */
    class AccessRefusedException extends RuntimeException {

        private static final long serialVersionUID = 1L;

        public AccessRefusedException(String message) {
            super(message);
        }
    }
}
