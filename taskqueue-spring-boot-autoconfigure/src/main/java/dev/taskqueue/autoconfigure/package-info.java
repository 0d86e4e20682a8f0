/** Spring Boot auto-configuration of taskqueue: properties, the client, the broker, the worker, the development Redis. */
@NullMarked
package dev.taskqueue.autoconfigure;

import org.jspecify.annotations.NullMarked;
