/**
 * The record of what operators did in the dashboard: each action as a Spring Boot audit event (when the actuator is
 * on the class path) and in Redis, bounded, so that the audit page lists the actions of every instance.
 */
@NullMarked
package dev.taskqueue.dashboard.audit;

import org.jspecify.annotations.NullMarked;
