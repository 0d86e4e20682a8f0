package dev.taskqueue.dashboard.web;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import dev.taskqueue.dashboard.access.Caller;
import dev.taskqueue.dashboard.access.DashboardAccess;
import dev.taskqueue.dashboard.access.Right;
import jakarta.servlet.http.HttpServletRequest;

import org.springframework.http.CacheControl;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestAttribute;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.util.HtmlUtils;

/**
 * The HTML shell of the dashboard at {@code {base}/}: the template {@value #TEMPLATE} with what the UI needs to start
 * in {@code <meta>} tags (the base path, the CSRF header and token, the user, their rights, read-only), loading
 * {@code {base}/static/app.css} and {@code app.js}. Nothing inline, so the Content Security Policy allows no inline
 * script or style; never cached, since it holds the CSRF token.
 */
@Controller
@RequestMapping("${taskqueue.dashboard.path:/taskqueue}")
public class DashboardPage {

    /** The shell's template on the class path; {@code {{name}}} marks where a value goes (HTML-escaped). */
    public static final String TEMPLATE = "dev/taskqueue/dashboard/index.html";

    private final String template;
    private final String base;
    private final DashboardAccess access;
    private final boolean readOnly;

    /** @param base the dashboard's path under the application's context path */
    public DashboardPage(String base, DashboardAccess access, boolean readOnly) {
        this.template = read(TEMPLATE);
        this.base = base;
        this.access = access;
        this.readOnly = readOnly;
    }

    @GetMapping({ "", "/" })
    @Requires(Right.READ)
    public ResponseEntity<String> shell(@RequestAttribute(DashboardGuard.CALLER) Caller caller,
            HttpServletRequest request) {
        DashboardAccess.CsrfToken csrf = access.csrf(request);
        String html = render(Map.of("base", request.getContextPath() + base,
                "csrfHeader", csrf == null ? "" : csrf.header(), "csrfToken", csrf == null ? "" : csrf.token(),
                "user", String.valueOf(caller.user()), "can", String.join(",", caller.labels()),
                "readOnly", Boolean.toString(readOnly)));
        return ResponseEntity.ok().contentType(new MediaType(MediaType.TEXT_HTML, StandardCharsets.UTF_8))
                .cacheControl(CacheControl.noStore()).body(html);
    }

    private String render(Map<String, String> values) {
        String html = template;
        for (Map.Entry<String, String> value : values.entrySet()) {
            html = html.replace("{{" + value.getKey() + "}}", HtmlUtils.htmlEscape(value.getValue(), "UTF-8"));
        }
        return html;
    }

    private static String read(String resource) {
        try (InputStream in = DashboardPage.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("The dashboard's page template " + resource + " is missing from the "
                        + "class path: the taskqueue-dashboard jar is incomplete");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }
}
