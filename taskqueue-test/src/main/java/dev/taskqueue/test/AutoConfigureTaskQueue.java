package dev.taskqueue.test;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Runs the tasks of a {@code @SpringBootTest} on the {@link TestRedis}, the real broker and the application's worker,
 * and adds a {@link TaskQueueTester} bean to inject. For each application context it:
 * <ul>
 * <li>points Spring Boot's Redis auto-configuration at the test Redis (a {@code DataRedisConnectionDetails} bean,
 * which wins over {@code spring.data.redis.*}: a test never reaches the Redis of the application's configuration);</li>
 * <li>gives taskqueue a key prefix of its own ({@code taskqueue.key-prefix}), so that two contexts never take each
 * other's tasks, and deletes its keys when the context closes;</li>
 * <li>starts the worker with the application, or leaves it to the test ({@link #worker()});</li>
 * <li>makes the schedules read a clock that stands still until {@link TaskQueueTester#advance} moves it;</li>
 * <li>forgets every task after each test method ({@link TaskQueueTester#reset()}), so that each starts empty.</li>
 * </ul>
 * The worker does not keep the JVM alive ({@code taskqueue.worker.keep-alive=false}), whatever the application says.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
public @interface AutoConfigureTaskQueue {

    /** Whether the application's worker runs tasks as they come (the default), or only when the test runs them. */
    WorkerMode worker() default WorkerMode.RUNNING;
}
