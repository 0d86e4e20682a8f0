package dev.taskqueue.test;

import dev.taskqueue.redis.RedisStores;

import org.springframework.context.ApplicationContext;
import org.springframework.test.context.TestContext;
import org.springframework.test.context.support.AbstractTestExecutionListener;

/**
 * Before and after each test method of a test with {@link AutoConfigureTaskQueue @AutoConfigureTaskQueue}, forgets every
 * task ({@link TaskQueueTester#reset()}, which also stops a manual worker): the context, and its worker, serve the next
 * test method (and the next test class with the same configuration), which starts with empty queues, whatever ran in
 * the context before it.
 */
final class TaskQueueTestExecutionListener extends AbstractTestExecutionListener {

    /** After Spring's own {@code DirtiesContextTestExecutionListener} (3000): its "after" runs after this one's. */
    private static final int ORDER = 3100;

    @Override
    public int getOrder() {
        return ORDER;
    }

    @Override
    public void beforeTestMethod(TestContext testContext) {
        reset(testContext);
    }

    @Override
    public void afterTestMethod(TestContext testContext) {
        reset(testContext);
    }

    private static void reset(TestContext testContext) {
        if (testContext.hasApplicationContext()) {
            ApplicationContext context = testContext.getApplicationContext();
            // Without the Redis broker (the inline mode) there is nothing to forget, and the tester says so when used.
            if (context.containsBean(TaskQueueContextCustomizer.TESTER_BEAN)
                    && context.getBeanNamesForType(RedisStores.class).length > 0) {
                context.getBean(TaskQueueContextCustomizer.TESTER_BEAN, TaskQueueTester.class).reset();
            }
        }
    }
}
