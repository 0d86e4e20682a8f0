/**
 * Test an application's tasks on a real Redis, as production runs them: no second broker.
 *
 * <ul>
 * <li>{@link dev.taskqueue.test.TestRedis}: one {@code redis-server} per test JVM (the one on the PATH, else the
 * binary of {@code org.signal:embedded-redis}; or the one a URL names), and a key prefix per test;</li>
 * <li>{@link dev.taskqueue.test.TaskQueueExtension}: a {@link dev.taskqueue.test.TaskQueueTester} parameter for a
 * JUnit 5 test without Spring;</li>
 * <li>{@link dev.taskqueue.test.AutoConfigureTaskQueue}: a {@code @SpringBootTest}'s tasks on the test Redis, with a
 * tester bean;</li>
 * <li>{@link dev.taskqueue.test.TaskQueueTester}: what was submitted, run what waits, wait until idle, check
 * outcomes, move the schedules' time.</li>
 * </ul>
 *
 * <p><b>Which tests use it.</b> This module depends on the core and on the auto-configuration, so neither of their
 * own test suites can depend on it: that would be a cycle in the build (Maven refuses one even in test scope). They
 * keep their fixtures ({@code dev.taskqueue.testing.SharedRedis} and {@code TaskQueueFixture} in the core's test jar,
 * which the auto-configuration's tests share), which wire the engine's parts one by one, as those tests need. The kit
 * is tested by its own tests, and used the way users use it by the sample application's tests and the README's
 * "Testing your application" examples, which are regions of those tests.
 */
@NullMarked
package dev.taskqueue.test;

import org.jspecify.annotations.NullMarked;
