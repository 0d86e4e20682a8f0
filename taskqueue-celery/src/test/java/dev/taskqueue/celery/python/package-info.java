/**
 * A real Python Celery for the interop tests: finds a Python that has Celery ({@link PythonCelery#require()}), starts
 * workers of the test app {@code proj} ({@link CeleryWorkerProcess}) and runs Python client scripts
 * ({@link PythonCelery#run}). The app itself lives in the test resources, under {@code celery/proj}.
 */
@NullMarked
package dev.taskqueue.celery.python;

import org.jspecify.annotations.NullMarked;
