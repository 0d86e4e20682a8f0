/**
 * Who may read and act in the dashboard: the caller's rights from Spring Security's authentication, or, without
 * Spring Security, every right for loopback requests and none for others.
 */
@NullMarked
package dev.taskqueue.dashboard.access;

import org.jspecify.annotations.NullMarked;
