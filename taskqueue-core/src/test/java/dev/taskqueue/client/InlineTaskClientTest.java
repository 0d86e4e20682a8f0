package dev.taskqueue.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import dev.taskqueue.Task;
import dev.taskqueue.TaskFailedException;
import dev.taskqueue.TaskClient;
import dev.taskqueue.TaskHandle;
import dev.taskqueue.TaskOptions;
import dev.taskqueue.TaskState;
import dev.taskqueue.event.TaskEventListener;
import dev.taskqueue.internal.MessageCodec;
import dev.taskqueue.internal.TaskRegistry;
import dev.taskqueue.testing.TestTasks;
import dev.taskqueue.worker.InlineWorker;
import dev.taskqueue.worker.WorkerSettings;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

/** Inline mode runs tasks in the submitting thread, through JSON, for applications' unit tests. */
class InlineTaskClientTest {

    public static class ThreadTasks {
        @Task(name = "thread.name")
        public String threadName() {
            return Thread.currentThread().getName();
        }

        @Task(name = "thread.unwritable")
        public Unwritable unwritable() {
            return new Unwritable();
        }
    }

    /** A task that submits another while it runs, through a copy of the client with other options. */
    public static class Parent {

        volatile TaskClient client;
        final List<String> order = new CopyOnWriteArrayList<>();

        @Task(name = "thread.parent")
        public void parent() {
            TaskHandle<String> child = client.withOptions(TaskOptions.defaults().priority(7)).submit(Parent::child);
            order.add("parent ends, child " + child.state());
        }

        @Task(name = "thread.child")
        public String child() {
            order.add("child runs");
            return "child";
        }
    }

    /** A result whose only property cannot be read, so it cannot be written as JSON. */
    public static class Unwritable {
        public String getValue() {
            throw new IllegalStateException("not readable");
        }
    }

    private final JsonMapper mapper = JsonMapper.builder().build();
    private final TaskRegistry registry = new TaskRegistry(mapper, "default");
    private final TestTasks tasks = new TestTasks();
    private final Parent parent = new Parent();
    private final InlineTaskClient client;

    InlineTaskClientTest() {
        registry.register("tasks", tasks, TestTasks.class);
        registry.register("threads", new ThreadTasks(), ThreadTasks.class);
        registry.register("parent", parent, Parent.class);
        client = inline(TaskEventListener.of(List.of()));
    }

    private InlineTaskClient inline(TaskEventListener listener) {
        return InlineWorker.client(registry, new MessageCodec(mapper), ClientSettings.DEFAULTS,
                WorkerSettings.builder().build(), listener, List.of(), Clock.systemUTC());
    }

    @Test
    void aTaskRunsBeforeSubmitReturnsInTheCallersThread() {
        TaskHandle<String> handle = client.submit(ThreadTasks::threadName);

        assertThat(handle.state()).isEqualTo(TaskState.SUCCESS);
        assertThat(handle.get(Duration.ZERO)).isEqualTo(Thread.currentThread().getName());
    }

    @Test
    void resultsAndFailuresBehaveAsWithAWorker() {
        assertThat(client.submit(TestTasks::thumbnail, "a", 3).get(Duration.ZERO).tags()).containsExactly("w3");
        assertThatThrownBy(() -> client.submit(TestTasks::fail, "inline").get(Duration.ZERO))
                .isInstanceOf(TaskFailedException.class).hasMessageContaining("inline");
        assertThat(client.handle(client.submit(TestTasks::add, 1, 1).id(), Integer.class).get(Duration.ZERO))
                .isEqualTo(2);
    }

    /** As on a worker, a result that cannot be written is a failure of the run, and listeners hear of it. */
    @Test
    void aResultThatCannotBeWrittenFailsTheRunAndIsHeardOf() {
        List<TaskEventListener.Execution> finished = new CopyOnWriteArrayList<>();
        InlineTaskClient heard = inline(new TaskEventListener() {
            @Override
            public void finished(Execution execution) {
                finished.add(execution);
            }
        });

        TaskHandle<Unwritable> handle = heard.submit(ThreadTasks::unwritable);

        assertThat(handle.state()).isEqualTo(TaskState.FAILURE);
        assertThat(finished).singleElement().extracting(TaskEventListener.Execution::outcome)
                .isEqualTo(TaskEventListener.Outcome.FAILURE);
    }

    @Test
    void argumentsStillGoThroughJson() {
        // An integer, as the parameter's JSON type asks, but too large for an int: only reading it finds out.
        TaskHandle<Object> handle = client.submit("test.thumbnail", "a", 3_000_000_000L);

        assertThatThrownBy(() -> handle.get(Duration.ZERO)).isInstanceOf(TaskFailedException.class)
                .hasMessageContaining("argument 'width'");
    }

    /** Not nested: a task submitted while another runs in this thread runs once that one returned. */
    @Test
    void aTaskSubmittedByARunningTaskRunsAfterIt() {
        parent.client = client;

        client.submit(Parent::parent);

        assertThat(parent.order).containsExactly("parent ends, child PENDING", "child runs");
    }
}
