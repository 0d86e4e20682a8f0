package dev.taskqueue.celery.python;

/**
 * What a Python script did.
 *
 * @param exitCode its exit code (0 when it ended normally)
 * @param stdout what it printed
 * @param stderr what it wrote to stderr: the traceback when it failed
 */
public record PythonResult(int exitCode, String stdout, String stderr) {
}
