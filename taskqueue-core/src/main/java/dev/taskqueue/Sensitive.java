package dev.taskqueue;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a value that operators must not see: the dashboard, the actuator endpoint and the event stream show it
 * masked (by the {@link ValueMasker} bean; {@code "******"} by default).
 * <ul>
 * <li>on a parameter of a {@link Task} method: that argument;</li>
 * <li>on a record component or a field of an argument's (or the result's) type: that property, wherever the type
 * appears (nested, in lists and maps);</li>
 * <li>on the {@link Task} method itself: its result.</li>
 * </ul>
 * <pre>
 * &#64;Task(name = "charge")
 * public Receipt charge(String customerId, &#64;Sensitive String cardNumber, Address billing) { ... }
 *
 * public record Address(String city, &#64;Sensitive String street) { }
 * </pre>
 * Properties are matched by their Java name (Jackson's default). Masking is for display: the task still receives
 * its arguments as sent, and Redis still holds them as sent.
 */
@Target({ ElementType.PARAMETER, ElementType.FIELD, ElementType.RECORD_COMPONENT, ElementType.METHOD })
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface Sensitive {
}
