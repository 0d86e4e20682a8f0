/**
 * What applications use: {@link dev.taskqueue.Task @Task}, {@link dev.taskqueue.TaskClient},
 * {@link dev.taskqueue.TaskHandle}, {@link dev.taskqueue.TaskOptions} and {@link dev.taskqueue.TaskCall}.
 */
@NullMarked
package dev.taskqueue;

import org.jspecify.annotations.NullMarked;
