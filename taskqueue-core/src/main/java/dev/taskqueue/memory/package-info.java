/** A broker and result backend in memory, for tests ({@code taskqueue.broker=memory}). */
@NullMarked
package dev.taskqueue.memory;

import org.jspecify.annotations.NullMarked;
