/**
 * The service-provider interfaces between the engine and a store: {@link dev.taskqueue.broker.Broker} and
 * {@link dev.taskqueue.broker.ResultBackend}, and the values they exchange.
 */
@NullMarked
package dev.taskqueue.broker;

import org.jspecify.annotations.NullMarked;
