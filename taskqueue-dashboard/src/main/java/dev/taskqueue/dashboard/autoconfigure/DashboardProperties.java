package dev.taskqueue.dashboard.autoconfigure;

import dev.taskqueue.dashboard.access.ShowValues;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Settings of the taskqueue dashboard ({@code taskqueue.dashboard.*}).
 */
@ConfigurationProperties("taskqueue.dashboard")
public class DashboardProperties {

    /** The path the dashboard is served at, by default. */
    public static final String DEFAULT_PATH = "/taskqueue";

    /** Live streams open at once, by default. */
    public static final int DEFAULT_MAX_STREAMS = 32;

    /**
     * Whether to serve the dashboard. Unset, it is served when Spring Security is on the class path (behind it), and
     * not otherwise; true without Spring Security serves it to loopback requests only; false never serves it.
     */
    private @Nullable Boolean enabled;

    /** The path the dashboard is served at, under the application's context path. */
    private String path = DEFAULT_PATH;

    /** Whether every action (pause, retry, purge, ...) is refused, and the UI shows none. */
    private boolean readOnly;

    /**
     * When what tasks carry (arguments, results, error messages and stacks) is shown: never, always, or
     * when-authorized (to callers with the operate or admin authority). Values a task declares sensitive are
     * masked whatever this says.
     */
    private ShowValues showValues = ShowValues.WHEN_AUTHORIZED;

    /**
     * A link to a trace in the tracing UI, with {@code {traceId}} where its id goes, such as
     * {@code http://localhost:16686/trace/{traceId}}. Unset, trace ids are shown without a link.
     */
    private @Nullable String traceUrl;

    /** Live-update streams (server-sent events) open at once, across every user; more are refused. */
    private int maxStreams = DEFAULT_MAX_STREAMS;

    private final Authorities authorities = new Authorities();

    public @Nullable Boolean getEnabled() {
        return this.enabled;
    }

    public void setEnabled(@Nullable Boolean enabled) {
        this.enabled = enabled;
    }

    public String getPath() {
        return this.path;
    }

    public void setPath(String path) {
        this.path = path;
    }

    public boolean isReadOnly() {
        return this.readOnly;
    }

    public void setReadOnly(boolean readOnly) {
        this.readOnly = readOnly;
    }

    public ShowValues getShowValues() {
        return this.showValues;
    }

    public void setShowValues(ShowValues showValues) {
        this.showValues = showValues;
    }

    public @Nullable String getTraceUrl() {
        return this.traceUrl;
    }

    public void setTraceUrl(@Nullable String traceUrl) {
        this.traceUrl = traceUrl;
    }

    public int getMaxStreams() {
        return this.maxStreams;
    }

    public void setMaxStreams(int maxStreams) {
        this.maxStreams = maxStreams;
    }

    public Authorities getAuthorities() {
        return this.authorities;
    }

    /**
     * The Spring Security authorities that grant each right (an authority matches with or without the
     * {@code ROLE_} prefix, so {@code roles("TASKQUEUE_READ")} works too). Admin implies operate, and operate implies read.
     */
    public static class Authorities {

        /** The authority that lets a user read every page. */
        private String read = "TASKQUEUE_READ";

        /** The authority that lets a user pause and resume queues, retry, delete and revoke tasks, run schedules. */
        private String operate = "TASKQUEUE_OPERATE";

        /** The authority that lets a user purge queues and retry or delete every dead letter at once. */
        private String admin = "TASKQUEUE_ADMIN";

        public String getRead() {
            return this.read;
        }

        public void setRead(String read) {
            this.read = read;
        }

        public String getOperate() {
            return this.operate;
        }

        public void setOperate(String operate) {
            this.operate = operate;
        }

        public String getAdmin() {
            return this.admin;
        }

        public void setAdmin(String admin) {
            this.admin = admin;
        }
    }
}
