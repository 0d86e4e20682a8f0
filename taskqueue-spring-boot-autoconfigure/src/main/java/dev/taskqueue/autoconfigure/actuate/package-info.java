/** Auto-configuration of the taskqueue actuator endpoint, health indicator and metrics. */
@NullMarked
package dev.taskqueue.autoconfigure.actuate;

import org.jspecify.annotations.NullMarked;
