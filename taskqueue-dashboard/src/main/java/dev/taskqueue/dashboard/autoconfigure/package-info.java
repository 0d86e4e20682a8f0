/** Auto-configuration of the taskqueue dashboard ({@code taskqueue.dashboard.*}). */
@NullMarked
package dev.taskqueue.dashboard.autoconfigure;

import org.jspecify.annotations.NullMarked;
