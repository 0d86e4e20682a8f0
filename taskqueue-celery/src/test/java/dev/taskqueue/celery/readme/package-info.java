/**
 * The code of the README's "Working with Python Celery": the Java snippets (regions the README shows, compiled and
 * run against a real Python Celery), the Python scripts it shows, and the check that its properties bind.
 */
@NullMarked
package dev.taskqueue.celery.readme;

import org.jspecify.annotations.NullMarked;
