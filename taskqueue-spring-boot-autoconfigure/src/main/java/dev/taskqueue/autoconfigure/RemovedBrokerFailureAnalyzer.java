package dev.taskqueue.autoconfigure;

import java.util.Locale;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.source.ConfigurationProperty;
import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.origin.Origin;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;

/**
 * Reports {@code taskqueue.broker=memory}, a value of earlier versions, with what to use instead. The in-JVM broker
 * was removed: it re-implemented every Redis script and drifted from them, so tests passed on it that failed on Redis.
 * Without this report, Boot's would only say that {@code memory} is not one of {@code REDIS, INLINE}.
 *
 * <p>Ordered first, so that it answers before Boot's own report of the bind failure.
 */
@Order(Ordered.HIGHEST_PRECEDENCE)
class RemovedBrokerFailureAnalyzer extends AbstractFailureAnalyzer<BindException> {

    static final String ACTION = "In tests, add dev.taskqueue:taskqueue-test (test scope) and annotate the test class "
            + "with @AutoConfigureTaskQueue: it starts a real redis-server once per test JVM (the one on the PATH, else "
            + "an embedded one) and gives each application context keys of its own. Or set taskqueue.broker=inline "
            + "to run each task in the thread that submits it. Elsewhere, remove the property: redis is the default.";

    @Override
    protected @Nullable FailureAnalysis analyze(Throwable rootFailure, BindException cause) {
        ConfigurationProperty property = cause.getProperty();
        if (property == null || !property.getName().toString().equals("taskqueue.broker")
                || !String.valueOf(property.getValue()).strip().toLowerCase(Locale.ROOT).startsWith("memory")) {
            return null;
        }
        Origin origin = property.getOrigin();
        return new FailureAnalysis("taskqueue.broker=memory" + (origin != null ? " (" + origin + ")" : "")
                + " is no longer supported: the in-JVM broker was removed, so that tests run on Redis as production "
                + "does.", ACTION, cause);
    }
}
