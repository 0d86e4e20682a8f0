package dev.taskqueue.actuate.view;

import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;

/**
 * Reads the trace id from the headers a task's message carries, as the tracer that submitted it propagated it
 * (Micrometer Tracing with OpenTelemetry or Brave): W3C {@code traceparent} ({@code 00-<trace id>-<span id>-<flags>}),
 * else B3 single ({@code b3: <trace id>-<span id>...}) or multi ({@code X-B3-TraceId}). Only hexadecimal ids are
 * taken, so that what is put in a link is an id.
 */
final class TraceIds {

    private static final Pattern TRACEPARENT = Pattern.compile("^[0-9a-f]{2}-([0-9a-f]{32})-[0-9a-f]{16}(-.*)?$");

    private static final Pattern B3 = Pattern.compile("^([0-9a-f]{16}|[0-9a-f]{32})(-.*)?$");

    private TraceIds() {
    }

    /** The trace id, or null when the headers carry none. */
    static @Nullable String of(Map<String, String> headers) {
        String traceparent = header(headers, "traceparent");
        if (traceparent != null) {
            Matcher w3c = TRACEPARENT.matcher(traceparent);
            if (w3c.matches()) {
                return w3c.group(1);
            }
        }
        for (String name : new String[] { "b3", "x-b3-traceid" }) {
            String value = header(headers, name);
            Matcher b3 = value == null ? null : B3.matcher(value);
            if (b3 != null && b3.matches()) {
                return b3.group(1);
            }
        }
        return null;
    }

    /** The link to the trace: the template with {@code {traceId}} replaced, or null without either. */
    static @Nullable String url(@Nullable String template, @Nullable String traceId) {
        return template == null || traceId == null ? null : template.replace("{traceId}", traceId);
    }

    private static @Nullable String header(Map<String, String> headers, String name) {
        for (Map.Entry<String, String> header : headers.entrySet()) {
            if (header.getKey().toLowerCase(Locale.ROOT).equals(name)) {
                return header.getValue().trim().toLowerCase(Locale.ROOT);
            }
        }
        return null;
    }
}
