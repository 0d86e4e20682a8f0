package dev.taskqueue;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.security.SecureRandom;
import java.util.concurrent.atomic.AtomicLong;

import dev.taskqueue.internal.NameCharacters;

/**
 * Task ids: generated ones are UUIDv7 (time-ordered, so ids sort by submission time), caller-chosen ones are
 * checked so that they are safe inside Redis key names.
 */
public final class TaskIds {

    /** The longest task id: ids go into Redis key names, several per key. */
    private static final int MAX_LENGTH = 200;

    /**
     * Strong random sources, a few, each drawn from in blocks: one shared {@code SecureRandom} would serialise every
     * submit on one lock, one per thread would seed a new generator for every virtual thread that submits, and asking
     * DRBG for 8 bytes at a time costs several digests per id. Ids pick a source by their thread.
     */
    private static final RandomBlock[] RANDOM = new RandomBlock[Integer.highestOneBit(
            Math.max(1, Runtime.getRuntime().availableProcessors()) * 2 - 1) * 2];

    static {
        for (int i = 0; i < RANDOM.length; i++) {
            RANDOM[i] = new RandomBlock();
        }
    }

    /** A strong generator and the block of its output not yet handed out. */
    private static final class RandomBlock {

        private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class,
                ByteOrder.BIG_ENDIAN);

        private final SecureRandom random = newRandom();
        private final byte[] block = new byte[512];
        private int next = block.length;

        synchronized long nextLong() {
            if (next == block.length) {
                random.nextBytes(block);
                next = 0;
            }
            long value = (long) LONGS.get(block, next);
            next += Long.BYTES;
            return value;
        }
    }

    /** The last millisecond and sequence handed out, so ids from one JVM are strictly increasing. */
    private static final AtomicLong LAST = new AtomicLong();

    private TaskIds() {
    }

    /** A new UUIDv7 string: 48 bits of Unix milliseconds, a 12-bit sequence, and 62 random bits. */
    public static String next() {
        long now = System.currentTimeMillis();
        long state = LAST.updateAndGet(last -> {
            long lastMillis = last >>> 12;
            if (now > lastMillis) {
                return now << 12;
            }
            return last + 1; // same (or earlier) millisecond: count up, borrowing from the future if needed
        });
        long millis = state >>> 12;
        long sequence = state & 0xFFF;
        long msb = (millis << 16) | 0x7000L | sequence;
        RandomBlock random = RANDOM[(int) Thread.currentThread().getId() & (RANDOM.length - 1)];
        long lsb = (random.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
        return format(msb, lsb);
    }

    private static SecureRandom newRandom() {
        try {
            return SecureRandom.getInstance("DRBG");
        }
        catch (java.security.NoSuchAlgorithmException ex) {
            return new SecureRandom();
        }
    }

    /** Throws if the id cannot serve as a task id. */
    public static void check(String id) {
        if (!valid(id)) {
            throw new IllegalArgumentException("A task id must be 1 to 200 letters, digits or . _ : - characters, got '"
                    + id + "'");
        }
    }

    /** Whether {@code id} is 1 to {@link #MAX_LENGTH} of {@code [A-Za-z0-9._:-]}. */
    private static boolean valid(String id) {
        return NameCharacters.allowed(id, MAX_LENGTH, true);
    }

    private static String format(long msb, long lsb) {
        char[] out = new char[36];
        hex(out, 0, msb >>> 32, 8);
        out[8] = '-';
        hex(out, 9, msb >>> 16, 4);
        out[13] = '-';
        hex(out, 14, msb, 4);
        out[18] = '-';
        hex(out, 19, lsb >>> 48, 4);
        out[23] = '-';
        hex(out, 24, lsb, 12);
        return new String(out);
    }

    private static void hex(char[] out, int offset, long value, int digits) {
        for (int i = digits - 1; i >= 0; i--) {
            out[offset + i] = Character.forDigit((int) (value & 0xF), 16);
            value >>>= 4;
        }
    }
}
