package dev.taskqueue.readme.tenant;

import dev.taskqueue.TaskCall;
import dev.taskqueue.TaskContext;
import dev.taskqueue.TaskInterceptor;
import dev.taskqueue.TaskOptions;

import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;

// tag::interceptor[]
@Component @Order(1)
class TenantPropagation implements TaskInterceptor {
    public TaskOptions beforeSubmit(TaskCall<?> call, TaskOptions options) {
        return options.header("tenant", Tenant.current());
    }
    public Object aroundExecution(TaskContext task, Invocation invocation) throws Throwable {
        Tenant.set(task.headers().get("tenant"));
        try { return invocation.proceed(); } finally { Tenant.clear(); }
    }
}
// end::interceptor[]
