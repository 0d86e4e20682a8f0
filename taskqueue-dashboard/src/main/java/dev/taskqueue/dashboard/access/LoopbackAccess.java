package dev.taskqueue.dashboard.access;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.Locale;

import jakarta.servlet.http.HttpServletRequest;
import org.jspecify.annotations.Nullable;

/**
 * Without Spring Security (and only when {@code taskqueue.dashboard.enabled=true}): every right for a request from
 * the loopback interface, none for any other (403). Loopback alone is not enough against a web page open in the same
 * machine's browser, so:
 * <ul>
 * <li>a request that a proxy forwarded ({@code Forwarded} or {@code X-Forwarded-For}) is refused: through a proxy on
 * the same host, every request would look local;</li>
 * <li>a request whose {@code Host} is not a loopback name or address is refused: a page of another site that rebinds
 * its name to 127.0.0.1 (DNS rebinding) would otherwise read the dashboard as its own origin;</li>
 * <li>every write must carry a token this instance made at start ({@link #HEADER}), which the shell page hands to the
 * UI: another site's page can send a form to localhost but cannot read the token nor set the header (CSRF).</li>
 * </ul>
 */
public final class LoopbackAccess implements DashboardAccess {

    /** The user audits record for a local request. */
    public static final String LOCAL_USER = "local";

    /** The header a write carries the token in. */
    public static final String HEADER = "X-TASKQUEUE-CSRF";

    private final String token = HexFormat.of().formatHex(randomBytes());

    @Override
    public Caller caller(HttpServletRequest request) {
        if (!isLoopback(request.getRemoteAddr()) || request.getHeader("Forwarded") != null
                || request.getHeader("X-Forwarded-For") != null || !isLoopbackHost(request.getServerName())) {
            throw new AccessRefusedException("The dashboard answers only requests from this host (loopback, by the "
                    + "name localhost or a loopback address) when Spring Security is not on the class path: add "
                    + "spring-boot-starter-security to open it to others, with the authorities "
                    + "taskqueue.dashboard.authorities.*");
        }
        return new Caller(LOCAL_USER, EnumSet.allOf(Right.class));
    }

    @Override
    public @Nullable CsrfToken csrf(HttpServletRequest request) {
        return new CsrfToken(HEADER, "_csrf", token);
    }

    @Override
    public boolean csrfVerified(HttpServletRequest request) {
        String method = request.getMethod();
        if (method.equals("GET") || method.equals("HEAD") || method.equals("OPTIONS")) {
            return true;
        }
        String sent = request.getHeader(HEADER);
        return sent != null && MessageDigest.isEqual(sent.getBytes(StandardCharsets.UTF_8),
                token.getBytes(StandardCharsets.UTF_8));
    }

    private static byte[] randomBytes() {
        byte[] bytes = new byte[32];
        new SecureRandom().nextBytes(bytes);
        return bytes;
    }

    /** Whether the request names this host as localhost or a loopback address. */
    static boolean isLoopbackHost(@Nullable String host) {
        return host != null && (host.equalsIgnoreCase("localhost") || host.toLowerCase(Locale.ROOT)
                .endsWith(".localhost") || isLoopback(host));
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
