/**
 * The service-provider interfaces between the engine and its stores, one per consumer, and the values they exchange:
 * {@link dev.taskqueue.broker.Broker} (the producer's and the worker's path), {@link dev.taskqueue.broker.QueueAdmin}
 * (what operators read and do), {@link dev.taskqueue.broker.ResultBackend} (task records),
 * {@link dev.taskqueue.broker.WorkflowStore}, {@link dev.taskqueue.broker.ScheduleStore} and
 * {@link dev.taskqueue.broker.CatalogStore}.
 */
@NullMarked
package dev.taskqueue.broker;

import org.jspecify.annotations.NullMarked;
