package dev.taskqueue.dashboard.access;

import java.util.EnumSet;

import jakarta.servlet.http.HttpServletRequest;
import org.jspecify.annotations.Nullable;

/**
 * Without Spring Security (and only when {@code taskqueue.dashboard.enabled=true}): every right for a request from
 * the loopback interface, none for any other (403). A request that a proxy forwarded ({@code Forwarded} or
 * {@code X-Forwarded-For}) is refused too: through a proxy on the same host, every request would look local.
 */
public final class LoopbackAccess implements DashboardAccess {

    /** The user audits record for a local request. */
    public static final String LOCAL_USER = "local";

    @Override
    public Caller caller(HttpServletRequest request) {
        if (!isLoopback(request.getRemoteAddr()) || request.getHeader("Forwarded") != null
                || request.getHeader("X-Forwarded-For") != null) {
            throw new AccessRefusedException("The dashboard answers only requests from this host (loopback) when "
                    + "Spring Security is not on the class path: add spring-boot-starter-security to open it to others, "
                    + "with the authorities taskqueue.dashboard.authorities.*");
        }
        return new Caller(LOCAL_USER, EnumSet.allOf(Right.class));
    }

    @Override
    public @Nullable CsrfToken csrf(HttpServletRequest request) {
        return null;
    }

    /** Whether the address is 127.0.0.0/8 or ::1 (parsed as text: no name lookup). */
    static boolean isLoopback(@Nullable String address) {
        if (address == null) {
            return false;
        }
        String plain = address.startsWith("[") && address.endsWith("]") ? address.substring(1, address.length() - 1)
                : address;
        return plain.startsWith("127.") || plain.equals("::1") || plain.equals("0:0:0:0:0:0:0:1")
                || plain.startsWith("::ffff:127.");
    }
}
