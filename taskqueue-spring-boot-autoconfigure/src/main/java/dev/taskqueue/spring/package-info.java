/** Spring components of taskqueue: the worker's lifecycle and the registration of {@code @Task} beans. */
@NullMarked
package dev.taskqueue.spring;

import org.jspecify.annotations.NullMarked;
