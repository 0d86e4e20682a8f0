package dev.taskqueue.test;

import dev.taskqueue.test.app.MailApplication;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;

import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/** The kit tests tasks on Redis: with the inline mode there is nothing to see or run, and the tester says so. */
@SpringBootTest(classes = MailApplication.class, properties = "taskqueue.broker=inline")
@AutoConfigureTaskQueue
class InlineModeTests {

    @Autowired
    TaskQueueTester tasks;

    @Test
    void theTesterSaysWhatToDo() {
        assertThatIllegalStateException().isThrownBy(tasks::submitted)
                .withMessageContaining("taskqueue.broker=inline runs each task in the thread that submits it")
                .withMessageContaining("Remove that property from this test");
    }
}
