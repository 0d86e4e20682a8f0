package dev.taskqueue;

import java.lang.annotation.Documented;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * At most {@link #limit()} runs of a task at once across every worker, optionally per key derived from its
 * arguments (one limit per customer, per tenant...). Permits are leases: a dead worker's permit comes back. A task
 * over the limit waits in Redis, off the worker, until a permit frees up.
 *
 * <pre>{@code
 * @Task(name = "reports.build", concurrency = @Concurrency(limit = 2, key = "#customerId"))
 * Report build(String customerId, int year) { ... }
 * }</pre>
 */
@Target({})
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface Concurrency {

    /** How many may run at once; 0: not limited. */
    int limit() default 0;

    /**
     * The key that shares one limit: empty (all runs of the task), or an expression over the arguments:
     * {@code #name} (a parameter), {@code #name.field.field} (a property of one), several joined with
     * {@code :}, such as {@code #tenant:#customer.id}.
     */
    String key() default "";
}
