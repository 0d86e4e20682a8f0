/** A small shop that uses taskqueue: orders send receipts and make thumbnails in the background. */
@NullMarked
package dev.taskqueue.sample;

import org.jspecify.annotations.NullMarked;
