package dev.taskqueue.test;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Gives a test without Spring a {@link TaskQueueTester} parameter, on the {@link TestRedis}: each test method gets a
 * tester of its own (keys of its own, its own worker and time), closed after it, which deletes its keys.
 *
 * <pre>
 * &#64;ExtendWith(TaskQueueExtension.class)
 * class ReceiptsTests {
 *
 *     &#64;Test
 *     void sendsAReceipt(TaskQueueTester tasks) {
 *         TaskClient client = tasks.register(new Receipts()).client();
 *         ...
 * </pre>
 * A tester taken by a constructor or a {@code @BeforeAll} method serves the whole class: it is reset after each test
 * method and closed after the last.
 */
public final class TaskQueueExtension implements ParameterResolver, AfterEachCallback, AfterAllCallback {

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace
            .create(TaskQueueExtension.class);

    private static final String TESTER = "tester";

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == TaskQueueTester.class;
    }

    @Override
    public TaskQueueTester resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return context.getStore(NAMESPACE).computeIfAbsent(TESTER, key -> TaskQueueTester.create(),
                TaskQueueTester.class);
    }

    @Override
    public void afterEach(ExtensionContext context) {
        TaskQueueTester own = context.getStore(NAMESPACE).remove(TESTER, TaskQueueTester.class);
        if (own != null) {
            own.close();
        }
        context.getParent().map(parent -> parent.getStore(NAMESPACE).get(TESTER, TaskQueueTester.class))
                .ifPresent(TaskQueueTester::reset);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        TaskQueueTester shared = context.getStore(NAMESPACE).remove(TESTER, TaskQueueTester.class);
        if (shared != null) {
            shared.close();
        }
    }
}
