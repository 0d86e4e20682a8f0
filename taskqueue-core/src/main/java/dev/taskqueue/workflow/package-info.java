/**
 * Workflows (chains, groups, chords, links) without a coordinator: {@link dev.taskqueue.workflow.WorkflowEngine}
 * compiles a signature at submit and starts what follows each step when it ends. It stores steps through a
 * {@link dev.taskqueue.workflow.StepSubmitter}, which the client implements: this package needs nothing of the
 * client's or the worker's, and both use it.
 */
@NullMarked
package dev.taskqueue.workflow;

import org.jspecify.annotations.NullMarked;
