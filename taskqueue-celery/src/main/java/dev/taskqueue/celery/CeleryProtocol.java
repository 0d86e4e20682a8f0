package dev.taskqueue.celery;

import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.UnknownHostException;

/** Constants of Celery's protocol that both the client and the worker use. */
final class CeleryProtocol {

    /** The largest body a Java worker decodes (after decompression): 64 MiB. */
    static final int MAX_BODY_BYTES = 64 * 1024 * 1024;

    /** What Java peers say they are, in events and the {@code lang} header. */
    static final String LANG = "java";

    /** Shown by Flower and {@code celery events} as the worker's software. */
    static final String SW_IDENT = "java-celery";

    /** The states Celery stores. */
    static final String PENDING = "PENDING", STARTED = "STARTED", RETRY = "RETRY", SUCCESS = "SUCCESS",
            FAILURE = "FAILURE", REVOKED = "REVOKED";

    private CeleryProtocol() {
    }

    /** This host's name, as Celery puts it in node names. */
    static String hostname() {
        try {
            return InetAddress.getLocalHost().getHostName();
        }
        catch (UnknownHostException ex) {
            return "localhost";
        }
    }

    /** Celery's {@code origin} of a sender: {@code gen<pid>@<host>}. */
    static String origin() {
        return "gen" + ProcessHandle.current().pid() + "@" + hostname();
    }

    static long pid() {
        return ProcessHandle.current().pid();
    }

    /** The JVM's name for the {@code sw_sys} field. */
    static String system() {
        return System.getProperty("os.name", "Java") + " (" + ManagementFactory.getRuntimeMXBean().getVmName() + ")";
    }
}
