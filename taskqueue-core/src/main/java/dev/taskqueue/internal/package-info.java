/** Internals shared by the client and the worker. Not an API: may change in any release. */
@NullMarked
package dev.taskqueue.internal;

import org.jspecify.annotations.NullMarked;
