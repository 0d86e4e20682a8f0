package dev.taskqueue.celery;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import dev.taskqueue.GroupHandle;
import dev.taskqueue.Signature;
import dev.taskqueue.TaskCall;
import dev.taskqueue.TaskClient;
import dev.taskqueue.TaskHandle;
import dev.taskqueue.TaskOptions;

/**
 * The application's {@link TaskClient}, with calls to Celery queues sent in Celery's protocol: a call goes to Celery
 * when its queue option names a Celery queue, a route matches its task name, or its {@code @Task} declares a Celery
 * queue ({@link CeleryRoutes}); every other call goes to the client it wraps, unchanged. A workflow goes wholly to one
 * side. A handle by id alone is the wrapped client's, unless Celery's backend has a result of that id; a handle with a
 * Celery queue is Celery's.
 */
final class CeleryTaskClient implements TaskClient {

    private final TaskClient delegate;
    private final CeleryClient celery;
    private final TaskOptions defaults;
    private final CeleryResults results;
    private final CeleryControl control;
    private final tools.jackson.databind.ObjectMapper mapper;

    CeleryTaskClient(TaskClient delegate, CeleryClient celery, TaskOptions defaults, CeleryResults results,
            CeleryControl control, tools.jackson.databind.ObjectMapper mapper) {
        this.delegate = delegate;
        this.celery = celery;
        this.defaults = defaults;
        this.results = results;
        this.control = control;
        this.mapper = mapper;
    }

    @Override
    public List<TaskHandle<?>> submitAll(List<? extends TaskCall<?>> calls) {
        Map<Integer, TaskCall<?>> toCelery = new TreeMap<>();
        Map<Integer, TaskCall<?>> toDelegate = new TreeMap<>();
        for (int i = 0; i < calls.size(); i++) {
            TaskCall<?> call = calls.get(i);
            (celery.involves(call, defaults) ? toCelery : toDelegate).put(i, call);
        }
        if (toCelery.isEmpty()) {
            return delegate.submitAll(calls);
        }
        // The delegate checks its calls (names, sizes) first, so that a refused call sends nothing to Celery either.
        List<TaskHandle<?>> native_ = toDelegate.isEmpty() ? List.of()
                : delegate.submitAll(new ArrayList<>(toDelegate.values()));
        List<TaskHandle<?>> sent = celery.submitAll(new ArrayList<>(toCelery.values()), defaults);
        List<TaskHandle<?>> handles = new ArrayList<>(calls.size());
        int c = 0;
        int d = 0;
        for (int i = 0; i < calls.size(); i++) {
            handles.add(toCelery.containsKey(i) ? sent.get(c++) : native_.get(d++));
        }
        return handles;
    }

    @Override
    public TaskClient withOptions(TaskOptions options) {
        return new CeleryTaskClient(delegate.withOptions(options), celery, defaults.merge(options), results, control,
                mapper);
    }

    @Override
    @SuppressWarnings("unchecked")
    public <R> TaskHandle<R> submit(Signature<R> signature) {
        if (celery.involves(signature, defaults)) {
            return (TaskHandle<R>) celery.submit(signature, defaults);
        }
        return delegate.submit(signature);
    }

    @Override
    public GroupHandle<Object> groupHandle(String groupId) {
        return delegate.groupHandle(groupId);
    }

    @Override
    public <R> TaskHandle<R> handle(String taskId, Class<R> resultType) {
        if (results.read(taskId) != null) {
            return new CeleryTaskHandle<>(taskId, null, resultType, results, control, mapper);
        }
        return delegate.handle(taskId, resultType);
    }

    @Override
    public <R> TaskHandle<R> handle(String queue, String taskId, Class<R> resultType) {
        if (celery.routes().isCeleryQueue(queue)) {
            return new CeleryTaskHandle<>(taskId, queue, resultType, results, control, mapper);
        }
        return delegate.handle(queue, taskId, resultType);
    }
}
