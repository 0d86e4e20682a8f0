package dev.taskqueue.redis;

import static dev.taskqueue.redis.RedisBroker.bytes;

import java.util.List;
import java.util.stream.Stream;

import dev.taskqueue.TaskError;
import dev.taskqueue.broker.Outcome;
import org.jspecify.annotations.Nullable;

/**
 * How an outcome is laid out in the arguments of the ACKNOWLEDGE script ({@link RedisOutcomes}), written once for
 * both sides: a {@link Writer} writes outcomes' arguments in Java, and {@link #LUA_READER}, generated from the same
 * {@link Layout}s, reads them back into the script's locals. Neither side counts positions by hand, so they cannot
 * drift apart; what the script does with each local is checked against Redis, kind by kind, by a test.
 *
 * <p>An outcome is its kind's letter, then its kind's {@link Field}s in the order its {@link Layout} lists them,
 * then the fields every kind ends with ({@link #TAIL}; a shorter form, {@link Layout#KEPT}, leaves out those it has no
 * use for). A field that names a key is its index into the script's KEYS (0: none); an absent text is {@code ''}.
 * The shortest form, {@link Layout#REPEATED}, takes some fields from the outcome before it: the reader keeps them
 * from one outcome to the next, so one script call's outcomes are written by one {@link Writer}, in the order the
 * script reads them.
 */
final class OutcomeLayout {

    private OutcomeLayout() {
    }

    /** One argument: the name of the script's local that receives it, and whether the script reads it as a number. */
    enum Field {
        STREAM("s", true), ENTRY("entry", false), TASK_ID("id", false), RECORD("r", true), TTL("ttl", false),
        TASK_NAME("name", false), RESULT("result", false), ERROR_TYPE("etype", false), ERROR_MESSAGE("emsg", false),
        ERROR_STACK("estack", false), ATTEMPT("attempt", false), REASON("reason", false), PRIORITY("prio", false),
        NEXT_BODY("body", false), DELAY("delay", true), UNIQUE("u", true), PERMIT("p", true),
        ARGUMENTS("targs", false), PARENT("tparent", false), CONTEXT("tctx", false), RAN_FOR("tran", false),
        SUBMITTED("tsub", false), ATTEMPTS("ak", true);

        final String local;
        final boolean numeric;

        Field(String local, boolean numeric) {
            this.local = local;
            this.numeric = numeric;
        }
    }

    /**
     * The fields every kind ends with: the keys the run releases (a uniqueness key; the first of a permit's pair
     * {@code {q}:c:<key>}, {@code {q}:cw:<key>}), then what the record keeps besides the outcome: the arguments, the
     * workflow parent, the message's context (headers, workflow root and children; '' for most tasks), how long the
     * handler ran (the record's start is its end minus that: more exact than the start notice, which is sent in
     * batches, or never for a task that finished first) and when it was submitted; last, the task's attempts list
     * {@code {q}:a:<id>} for an attempt that did not succeed (a success is the last attempt, and its record says all
     * of it: it is not written twice).
     */
    static final List<Field> TAIL = List.of(Field.UNIQUE, Field.PERMIT, Field.ARGUMENTS, Field.PARENT,
            Field.CONTEXT, Field.RAN_FOR, Field.SUBMITTED, Field.ATTEMPTS);

    /**
     * Fields that the outcomes of one batch mostly share, one after another, or (the record) take in turn: the stream,
     * the record's TTL, the task's name and attempt (a batch of one task's first attempts from one stream), the
     * record, whose key the batch numbers in the order its outcomes name keys, so that a stored success's record
     * after another's is the next key, and the context (none, for most tasks; the same root and successor for the
     * members of one chord). The reader keeps each outcome's values of them, for a {@link Layout#REPEATED} outcome
     * after it.
     */
    static final List<Field> REPEATABLE = List.of(Field.STREAM, Field.TTL, Field.TASK_NAME, Field.ATTEMPT,
            Field.RECORD, Field.CONTEXT);

    /** The one {@link #REPEATABLE} field that follows by one rather than staying the same: the record's key index. */
    private static final Field NEXT_KEY = Field.RECORD;

    /** The layout of each kind: its letter in the script, and its fields before the {@link #TAIL}. */
    enum Layout {
        /** A success whose record is not kept: acknowledged, and its keys released (they are held by its id). */
        ACKNOWLEDGED('A', Field.STREAM, Field.ENTRY, Field.TASK_ID),
        SUCCEEDED('S', Shared.SUCCESS),
        /**
         * A success stored with nothing of the {@link #TAIL} but its description's own fields (no keys to release, no
         * workflow parent: a stored task outside workflows, or a chord's member). The reader gives the fields it
         * leaves out their empty values and reads it as a {@link #SUCCEEDED}: 13 arguments instead of 17, each of
         * which costs Redis about 1,000 instructions (counted, before it kept the context: 83,200 instructions per
         * task acknowledged, not 87,900).
         */
        KEPT('K', 'S', List.of(Field.ARGUMENTS, Field.CONTEXT, Field.RAN_FOR, Field.SUBMITTED), Shared.SUCCESS),
        /**
         * A {@link #KEPT} success whose {@link #REPEATABLE} fields follow from the outcome before it in the batch (the
         * same stream, TTL, task name, attempt and context; the next record key), which the reader takes from there: 7
         * arguments instead of 13 (counted, before the context was one of them: 61,955 instructions per task
         * acknowledged, not 66,685; the {@link Writer} chooses it). Its fields are {@link #KEPT}'s without those, in
         * the same order.
         */
        REPEATED('k', KEPT),
        FAILED('F', Field.STREAM, Field.ENTRY, Field.TASK_ID, Field.RECORD, Field.TTL, Field.TASK_NAME,
                Field.ERROR_TYPE, Field.ERROR_MESSAGE, Field.ERROR_STACK, Field.ATTEMPT, Field.REASON),
        /** Its dead letter has the same fields as a failure's (no task name, stack or attempt: empty, 0). */
        QUARANTINED('Q', Field.STREAM, Field.ENTRY, Field.TASK_ID, Field.RECORD, Field.TTL, Field.TASK_NAME,
                Field.ERROR_TYPE, Field.ERROR_MESSAGE, Field.ERROR_STACK, Field.ATTEMPT, Field.REASON),
        REVOKED('R', Field.STREAM, Field.ENTRY, Field.TASK_ID, Field.RECORD, Field.TTL, Field.TASK_NAME,
                Field.ERROR_MESSAGE),
        RETRY('T', Field.STREAM, Field.ENTRY, Field.TASK_ID, Field.RECORD, Field.TTL, Field.TASK_NAME,
                Field.ERROR_TYPE, Field.ERROR_MESSAGE, Field.ERROR_STACK, Field.ATTEMPT, Field.PRIORITY,
                Field.NEXT_BODY, Field.DELAY);

        /** Fields that two layouts share (an enum's constants cannot name its own static fields). */
        private static final class Shared {
            static final Field[] SUCCESS = { Field.STREAM, Field.ENTRY, Field.TASK_ID, Field.RECORD, Field.TTL,
                Field.TASK_NAME, Field.RESULT, Field.ATTEMPT };
        }

        final char letter;
        /** The kind the script reads it as: its own letter, or the kind it is a shorter form of. */
        final char readAs;
        final List<Field> fields;
        /** Fields it does not carry, which follow from the outcome before it (the same value; the next record key). */
        final List<Field> repeated;
        /** For each of its {@link #fields}, where it is in {@link #REPEATABLE}, or -1. */
        final int[] repeatableAt;

        Layout(char letter, Field... fields) {
            this(letter, letter, TAIL, fields);
        }

        /** A layout with only {@code tail} of the {@link #TAIL}, read as the kind {@code readAs}. */
        Layout(char letter, char readAs, List<Field> tail, Field... fields) {
            this(letter, readAs, Stream.concat(Stream.of(fields), TAIL.stream().filter(tail::contains)).toList(),
                    List.of());
        }

        /** A shorter form of {@code full} that leaves out its {@link #REPEATABLE} fields: they follow. */
        Layout(char letter, Layout full) {
            this(letter, full.readAs, full.fields.stream().filter(field -> !REPEATABLE.contains(field)).toList(),
                    full.fields.stream().filter(REPEATABLE::contains).toList());
        }

        /** A layout of exactly {@code fields}, read as the kind {@code readAs}; {@code repeated} as they follow. */
        Layout(char letter, char readAs, List<Field> fields, List<Field> repeated) {
            this.letter = letter;
            this.readAs = readAs;
            this.fields = fields;
            this.repeated = repeated;
            this.repeatableAt = fields.stream().mapToInt(REPEATABLE::indexOf).toArray();
        }

        /**
         * The layout of an outcome on its own: a success stored nowhere needs only its acknowledgement and releases,
         * one stored with nothing to release and no parent goes {@link #KEPT} (or {@link #REPEATED}, which the
         * {@link Writer} sees).
         */
        static Layout of(Outcome outcome) {
            return switch (outcome.kind()) {
                case SUCCEEDED -> !outcome.storeRecord() ? ACKNOWLEDGED : kept(outcome) ? KEPT : SUCCEEDED;
                case FAILED -> FAILED;
                case QUARANTINED -> QUARANTINED;
                case REVOKED -> REVOKED;
                case RETRY -> RETRY;
            };
        }

        /** Whether a stored success has none of the fields {@link #KEPT} leaves out. */
        private static boolean kept(Outcome o) {
            return o.uniqueKey() == null && o.permitKey() == null && o.parentId() == null;
        }
    }

    /** Where the keys an outcome names are in the script's KEYS: one queue's batch numbers each key once. */
    interface KeyIndexes {

        /** The index of one of the queue's streams. */
        int stream(String stream);

        /** The index of the task's record. */
        int record(String taskId);

        /** The index of a uniqueness key. */
        int unique(String uniqueKey);

        /** The index of a concurrency key's permits; its waiters' key is the next index. */
        int permits(String permitKey);

        /** The index of the task's attempts list. */
        int attempts(String taskId);
    }

    /** Writes one batch's outcomes, one after another, into the script's arguments. */
    static final class Writer {

        private final KeyIndexes keys;
        private final List<byte[]> args;
        /** The {@link #REPEATABLE} values of the last outcome written (null: one it lacks), as the reader has them. */
        private final @Nullable Object[] last = new Object[REPEATABLE.size()];

        Writer(KeyIndexes keys, List<byte[]> args) {
            this.keys = keys;
            this.args = args;
        }

        /**
         * Appends {@code outcome}'s arguments: its kind's letter, then its layout's fields; a {@link Layout#KEPT}
         * success whose {@link #REPEATABLE} fields follow from the last outcome's goes {@link Layout#REPEATED}, its
         * fields those of {@link Layout#KEPT} without them, in the same order.
         */
        void add(Outcome outcome) {
            Layout layout = Layout.of(outcome);
            @Nullable Object[] values = new Object[layout.fields.size()];
            @Nullable Object[] shared = new Object[REPEATABLE.size()];
            for (int i = 0; i < values.length; i++) {
                values[i] = value(layout.fields.get(i), outcome, keys);
                if (layout.repeatableAt[i] >= 0) {
                    shared[layout.repeatableAt[i]] = values[i];
                }
            }
            boolean repeats = layout == Layout.KEPT && follows(shared);
            args.add(new byte[] { (byte) (repeats ? Layout.REPEATED : layout).letter });
            for (int i = 0; i < values.length; i++) {
                if (!repeats || layout.repeatableAt[i] < 0) {
                    Object value = values[i];
                    args.add(value instanceof byte[] raw ? raw : bytes(value == null ? "" : value.toString()));
                }
            }
            System.arraycopy(shared, 0, last, 0, last.length);
        }

        /** Whether each of {@code shared} is what follows the last outcome's: the same, or the next key. */
        private boolean follows(@Nullable Object[] shared) {
            for (int f = 0; f < shared.length; f++) {
                Object expected = REPEATABLE.get(f) == NEXT_KEY
                        ? (last[f] instanceof Integer index && index > 0 ? index + 1 : null) : last[f];
                if (expected == null || !expected.equals(shared[f])) {
                    return false;
                }
            }
            return true;
        }
    }

    private static @Nullable Object value(Field field, Outcome o, KeyIndexes keys) {
        String taskId = o.delivery().taskId();
        TaskError error = o.error();
        Outcome.Retry retry = o.retry();
        boolean stored = o.storeRecord();
        return switch (field) {
            case STREAM -> keys.stream(o.delivery().stream());
            case ENTRY -> o.delivery().entryId();
            case TASK_ID -> taskId;
            case RECORD -> stored && !taskId.isEmpty() ? keys.record(taskId) : 0; // an unreadable entry may have no id
            case TTL -> o.recordTtlMillis();
            case TASK_NAME -> o.taskName();
            case RESULT -> o.resultJson() == null ? "null" : o.resultJson();
            case ERROR_TYPE -> error == null ? null : error.type();
            case ERROR_MESSAGE -> error == null ? null : error.message();
            case ERROR_STACK -> error == null ? null : error.stackTrace();
            case ATTEMPT -> o.attempt();
            case REASON -> o.deadLetterReason();
            case PRIORITY -> retry == null ? null : retry.priority();
            case NEXT_BODY -> retry == null ? null : retry.body();
            case DELAY -> retry == null ? null : retry.delayMillis();
            case UNIQUE -> o.uniqueKey() == null ? 0 : keys.unique(o.uniqueKey());
            case PERMIT -> o.permitKey() == null ? 0 : keys.permits(o.permitKey());
            case ARGUMENTS -> stored ? o.argumentsJson() : null;
            case PARENT -> stored ? o.parentId() : null;
            // none is '' (not null: a stored success without one repeats the one before it without one)
            case CONTEXT -> stored ? (o.contextJson() == null ? "" : o.contextJson()) : null;
            case RAN_FOR -> stored && o.ranForMillis() >= 0 ? o.ranForMillis() : null;
            case SUBMITTED -> stored && o.submittedAtMillis() > 0 ? o.submittedAtMillis() : null;
            case ATTEMPTS -> stored && !taskId.isEmpty() && o.kind() != Outcome.Kind.SUCCEEDED ? keys.attempts(taskId)
                    : 0;
        };
    }

    /** The prefix of the locals that keep the last outcome's {@link #REPEATABLE} fields ({@code last_s}...). */
    private static final String LAST = "last_";

    /**
     * Lua that declares the locals the {@link #LUA_READER} keeps from one outcome to the next: once, before the loop
     * that reads them.
     */
    static final String LUA_READER_STATE = "local " + locals(REPEATABLE, LAST) + "\n";

    /**
     * Lua that reads the outcome starting at {@code ARGV[i]} into {@code kind} and locals named after the
     * {@link Field}s ({@code s}, {@code entry}, {@code id}...; numbers as numbers, a field its kind lacks as nil, a
     * field of the {@link #TAIL} that a shorter form leaves out as 0 or '', one it repeats as the previous outcome's),
     * and moves {@code i} past it. An unknown kind, which only a bug of the {@link Writer} could send, ends the
     * script with an error.
     */
    static final String LUA_READER = luaReader();

    /** The locals of {@code fields}, each name after {@code prefix}, separated by commas. */
    private static String locals(List<Field> fields, String prefix) {
        return String.join(", ", fields.stream().map(field -> prefix + field.local).toList());
    }

    private static String luaReader() {
        StringBuilder lua = new StringBuilder("local kind = ARGV[i]\nlocal ");
        lua.append(String.join(", ", Stream.of(Field.values()).map(field -> field.local).toList())).append('\n');
        for (Layout layout : Layout.values()) {
            lua.append(layout.ordinal() == 0 ? "if" : "elseif").append(" kind == '").append(layout.letter)
                    .append("' then\n  ");
            StringBuilder values = new StringBuilder();
            for (int f = 0; f < layout.fields.size(); f++) {
                Field field = layout.fields.get(f);
                String arg = "ARGV[i + " + (f + 1) + "]";
                lua.append(f == 0 ? "" : ", ").append(field.local);
                values.append(f == 0 ? "" : ", ").append(field.numeric ? "tonumber(" + arg + ")" : arg);
            }
            lua.append(" = ").append(values).append('\n');
            List<Field> left = TAIL.stream().filter(field -> !layout.fields.contains(field)).toList();
            if (!left.isEmpty()) { // a shorter form: what it leaves out is empty
                lua.append("  ").append(locals(left, "")).append(" = ").append(String.join(", ",
                        left.stream().map(field -> field.numeric ? "0" : "''").toList())).append('\n');
            }
            if (layout.readAs != layout.letter) {
                lua.append("  kind = '").append(layout.readAs).append("'\n");
            }
            if (!layout.repeated.isEmpty()) {
                lua.append("  ").append(locals(layout.repeated, "")).append(" = ").append(String.join(", ",
                        layout.repeated.stream().map(field -> LAST + field.local
                                + (field == NEXT_KEY ? " + 1" : "")).toList())).append('\n');
            }
            lua.append("  i = i + ").append(layout.fields.size() + 1).append('\n');
        }
        lua.append("else\n  return redis.error_reply('ERR unknown outcome kind ' .. tostring(kind))\nend\n");
        lua.append(locals(REPEATABLE, LAST)).append(" = ").append(locals(REPEATABLE, "")).append('\n');
        return lua.toString();
    }
}
