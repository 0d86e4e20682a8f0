package dev.taskqueue.dashboard.web;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import dev.taskqueue.dashboard.access.Right;

/**
 * The right a dashboard route needs, checked by {@link DashboardGuard} before it runs. A route that changes
 * something (operate or admin) is also refused in read-only mode, and audited when refused.
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface Requires {

    Right value();

    /** The audit event type of the action, such as {@code TASKQUEUE_QUEUE_PAUSED} (actions only). */
    String action() default "";
}
