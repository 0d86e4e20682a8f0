package dev.taskqueue.dashboard.web;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.springframework.core.io.Resource;
import org.springframework.http.CacheControl;
import org.springframework.util.DigestUtils;
import org.springframework.web.servlet.config.annotation.InterceptorRegistry;
import org.springframework.web.servlet.config.annotation.ResourceHandlerRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/**
 * Mounts the dashboard in the application's Spring MVC: its static assets at {@code {base}/static/**} from
 * {@value #ASSETS}, and the {@link DashboardGuard} on every request under {@code {base}}. Assets are revalidated on
 * each use ({@code no-cache}) with an ETag of their content, so that a browser downloads them again only after an
 * upgrade changed them (their names carry no version).
 */
public final class DashboardWebConfigurer implements WebMvcConfigurer {

    /** Where the assets are on the class path. */
    public static final String ASSETS = "classpath:/dev/taskqueue/dashboard/static/";

    private final String base;
    private final DashboardGuard guard;
    private final Map<String, String> etags = new ConcurrentHashMap<>();

    public DashboardWebConfigurer(String base, DashboardGuard guard) {
        this.base = base;
        this.guard = guard;
    }

    @Override
    public void addInterceptors(InterceptorRegistry registry) {
        registry.addInterceptor(guard).addPathPatterns(base, base + "/**");
    }

    @Override
    public void addResourceHandlers(ResourceHandlerRegistry registry) {
        registry.addResourceHandler(base + "/static/**").addResourceLocations(ASSETS)
                .setCacheControl(CacheControl.noCache()).setEtagGenerator(this::etag);
    }

    /** A hash of the asset's content, computed once per asset (the jar does not change while it runs). */
    private String etag(Resource resource) {
        String key;
        try {
            key = resource.getURL().toString();
        }
        catch (IOException ex) {
            key = String.valueOf(resource.getFilename());
        }
        return etags.computeIfAbsent(key, ignored -> {
            try (InputStream in = resource.getInputStream()) {
                return "\"" + DigestUtils.md5DigestAsHex(in) + "\"";
            }
            catch (IOException ex) {
                throw new UncheckedIOException(ex);
            }
        });
    }
}
