/**
 * The Redis implementation of the broker and the result backend: the only package that issues Redis commands.
 * {@link dev.taskqueue.redis.RedisBroker} documents the key layout with real commands.
 */
@NullMarked
package dev.taskqueue.redis;

import org.jspecify.annotations.NullMarked;
