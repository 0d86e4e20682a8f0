package dev.taskqueue.workflow;

import dev.taskqueue.broker.WorkflowStore;

/**
 * What the engine's parts share.
 *
 * @param store where groups, chords and the records of abandoned steps are kept
 * @param submitter how steps are stored: as the client stores any call
 * @param format the JSON of workflows
 * @param ttlMillis how long groups, chords and abandoned records are kept: the result TTL
 */
record EngineParts(WorkflowStore store, StepSubmitter submitter, WorkflowFormat format, long ttlMillis) {
}
