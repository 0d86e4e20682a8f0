package dev.taskqueue.benchmarks;

/**
 * The CPU counters of one process, from its line in Linux's {@code /proc/<pid>/stat}, in clock ticks: its own
 * user and system time, and that of its children it has waited for (a finished child's whole time, its own
 * reaped children's included, moves there when it is waited for).
 *
 * @param user utime (field 14)
 * @param system stime (field 15)
 * @param reapedChildren cutime + cstime (fields 16 and 17)
 */
record ProcessCpuTicks(long user, long system, long reapedChildren) {

    /** Linux's clock ticks per second ({@code USER_HZ}), 100 on every architecture the JDK runs on. */
    static final long TICKS_PER_SECOND = 100;

    /**
     * Parses a {@code /proc/<pid>/stat} line. The command name (field 2) is in parentheses and may hold spaces
     * and parentheses itself, so the fields are counted from the last closing parenthesis.
     */
    static ProcessCpuTicks parse(String statLine) {
        String[] f = statLine.substring(statLine.lastIndexOf(')') + 2).trim().split(" "); // f[0] is field 3
        return new ProcessCpuTicks(Long.parseLong(f[11]), Long.parseLong(f[12]),
                Long.parseLong(f[13]) + Long.parseLong(f[14]));
    }

    /** Its own time, user and system. */
    long own() {
        return user + system;
    }

    /** Its own time and its waited-for children's: what it has used, and its finished children with it. */
    long withReapedChildren() {
        return own() + reapedChildren;
    }

    static long ticksToNanos(long ticks) {
        return ticks * (1_000_000_000L / TICKS_PER_SECOND);
    }
}
