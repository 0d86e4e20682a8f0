package dev.taskqueue.worker;

import java.util.List;

import dev.taskqueue.TaskInterceptor;
import dev.taskqueue.internal.MessageCodec;
import dev.taskqueue.internal.TaskRegistry;
import dev.taskqueue.workflow.WorkflowEngine;

/**
 * What a worker knows of the tasks it runs: their definitions, how their messages and results read and write, the
 * interceptors around each run, and how their workflows go on.
 */
record TaskRuntime(TaskRegistry registry, MessageCodec codec, List<TaskInterceptor> interceptors,
        WorkflowEngine workflows) {

    TaskRuntime {
        interceptors = List.copyOf(interceptors);
    }
}
