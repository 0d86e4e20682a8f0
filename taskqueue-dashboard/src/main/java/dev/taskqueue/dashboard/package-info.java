/**
 * The taskqueue dashboard: a web UI served by the application's Spring MVC at {@code taskqueue.dashboard.path}
 * ({@code /taskqueue}), reading the read model the actuator endpoint shares ({@code dev.taskqueue.actuate.view}).
 */
@NullMarked
package dev.taskqueue.dashboard;

import org.jspecify.annotations.NullMarked;
