package io.verdant.internal.det;

import java.util.Arrays;
import java.util.Locale;
import java.util.Objects;

/**
 * A deterministic schedule saved as its list of choices: for every step, what
 * kind of step it was (a dispatch, or a scheduling point where the running task
 * stayed or switched), which task ran, and the runnable set the choice was made
 * from. {@code Determinism.replaySteps} replays it (the {@code Replay}
 * strategy makes the recorded choices and reports the first step whose
 * runnable set or running task differs); a recording run
 * ({@code Determinism.recordSteps}, every {@code Exploration}) writes it.
 * Immutable; any thread.
 *
 * <pre>
 * Text form (version 1; white space of any kind separates tokens, so the text
 * may be wrapped in a file or a Java text block)
 *   v1:steps:0x&lt;seed in hex&gt;[:lenient] &lt;step&gt; &lt;step&gt; ...
 *   a step is one of
 *     &lt;task&gt;/&lt;runnable&gt;   a dispatch: task ran, chosen from runnable
 *     &lt;task&gt;=&lt;runnable&gt;   a scheduling point of the running task: it stayed
 *     &lt;task&gt;^&lt;runnable&gt;   a scheduling point of the running task: it switched
 *   &lt;runnable&gt; is the runnable set's task ids in submission order, separated
 *   by '.', possibly empty (a point with nothing else runnable). Task ids are
 *   decimal, in first-admission order (DetTask.id): stable as long as the
 *   program starts its threads in the same order.
 *   Example: v1:steps:0x2A 0/0 0=1 1/1.2 1^2 2/0.2
 * Why the seed
 *   The steps fix every choice of who runs; the seed still feeds what the
 *   strategy does not choose: Green.random() (per thread, from the seed and the
 *   pid) and select's fair order (its own source, from the seed).
 * </pre>
 */
public final class StepScript {
    /** The text form's header (before the seed). */
    public static final String HEADER = "v1:steps:";

    private final long seed;
    private final boolean lenient;
    /** Per step: StepLog.DISPATCH, STAY or SWITCH. */
    private final byte[] type;
    private final long[] task;
    /** The runnable set of step i is pool[setStart[i] .. setStart[i + 1]). */
    private final int[] setStart;
    private final long[] pool;

    StepScript(long seed, boolean lenient, byte[] type, long[] task, int[] setStart, long[] pool) {
        this.seed = seed;
        this.lenient = lenient;
        this.type = type;
        this.task = task;
        this.setStart = setStart;
        this.pool = pool;
    }

    /**
     * Parses the text form (see the class comment).
     *
     * @param text the saved steps
     * @return the script
     * @throws NullPointerException if {@code text} is null
     * @throws IllegalArgumentException if {@code text} is not of that form or holds no step
     */
    public static StepScript parse(String text) {
        Objects.requireNonNull(text, "steps");
        String[] tokens = text.strip().split("\\s+");
        String head = tokens[0];
        String[] parts = head.split(":");
        if (!head.startsWith(HEADER) || parts.length < 3 || parts.length > 4
                || !parts[2].toLowerCase(Locale.ROOT).startsWith("0x") || parts[2].length() < 3
                || (parts.length == 4 && !parts[3].equals("lenient"))) {
            throw bad("expected it to start with v1:steps:0x<hex seed>[:lenient], got '" + abbreviate(head) + "'");
        }
        long seed;
        try {
            seed = Long.parseUnsignedLong(parts[2].substring(2), 16);
        } catch (NumberFormatException e) {
            throw bad("the seed '" + parts[2] + "' is not a 64-bit hex number");
        }
        int n = tokens.length - 1;
        if (n == 0) {
            throw bad("'" + abbreviate(head) + "' holds no step: this is the replay key of a replay of saved steps, "
                    + "which names only the seed; replay the saved steps themselves (ScheduleFailedException.steps(), "
                    + "Verdant.steps())");
        }
        byte[] type = new byte[n];
        long[] task = new long[n];
        int[] setStart = new int[n + 1];
        long[] pool = new long[Math.max(4, n * 2)];
        int size = 0;
        for (int i = 0; i < n; i++) {
            String tok = tokens[i + 1];
            int sep = -1;
            for (int j = 0; j < tok.length(); j++) {
                char c = tok.charAt(j);
                if (c == '/' || c == '=' || c == '^') {
                    sep = j;
                    break;
                }
            }
            if (sep <= 0) {
                throw bad("step " + (i + 1) + " '" + tok + "' is not <task>/<runnable>, <task>=<runnable> or <task>^<runnable>");
            }
            char c = tok.charAt(sep);
            type[i] = c == '/' ? StepLog.DISPATCH : c == '=' ? StepLog.STAY : StepLog.SWITCH;
            try {
                task[i] = Long.parseLong(tok.substring(0, sep));
                setStart[i] = size;
                String set = tok.substring(sep + 1);
                if (!set.isEmpty()) {
                    for (String id : set.split("\\.", -1)) {
                        if (size == pool.length) {
                            pool = Arrays.copyOf(pool, size * 2);
                        }
                        pool[size++] = Long.parseLong(id);
                    }
                }
            } catch (NumberFormatException e) {
                throw bad("step " + (i + 1) + " '" + tok + "' has a task id that is not a decimal number");
            }
            if (type[i] == StepLog.DISPATCH && !contains(pool, setStart[i], size, task[i])) {
                throw bad("step " + (i + 1) + " '" + tok + "' dispatches a task that is not in its runnable set");
            }
        }
        setStart[n] = size;
        return new StepScript(seed, parts.length == 4, type, task, setStart, Arrays.copyOf(pool, size));
    }

    private static boolean contains(long[] a, int from, int to, long v) {
        for (int i = from; i < to; i++) {
            if (a[i] == v) {
                return true;
            }
        }
        return false;
    }

    private static String abbreviate(String s) {
        return s.length() <= 60 ? s : s.substring(0, 60) + "...";
    }

    private static IllegalArgumentException bad(String what) {
        return new IllegalArgumentException("steps: " + what);
    }

    /** The seed the steps were recorded with. */
    public long seed() {
        return seed;
    }

    /** Whether the recorded run had the lenient external policy. */
    public boolean lenient() {
        return lenient;
    }

    /** The number of recorded steps. */
    public int size() {
        return type.length;
    }

    byte type(int i) {
        return type[i];
    }

    long task(int i) {
        return task[i];
    }

    /** Whether step {@code i}'s recorded runnable set equals {@code runnable}'s ids, in order. */
    boolean sameSet(int i, java.util.List<DetTask> runnable) {
        int from = setStart[i];
        if (setStart[i + 1] - from != runnable.size()) {
            return false;
        }
        for (int j = 0, n = runnable.size(); j < n; j++) {
            if (pool[from + j] != runnable.get(j).id) {
                return false;
            }
        }
        return true;
    }

    /** Step {@code i} (0-based) as a phrase for a divergence report. */
    String describe(int i) {
        StringBuilder sb = new StringBuilder();
        sb.append(type[i] == StepLog.DISPATCH ? "#" + task[i] + " runs" : "a scheduling point of #" + task[i]
                + (type[i] == StepLog.STAY ? " (it stays)" : " (it switches)"));
        sb.append(", runnable ");
        appendSet(sb, pool, setStart[i], setStart[i + 1]);
        return sb.toString();
    }

    static void appendSet(StringBuilder sb, long[] ids, int from, int to) {
        sb.append('[');
        for (int j = from; j < to; j++) {
            sb.append(j > from ? " #" : "#").append(ids[j]);
        }
        sb.append(']');
    }

    /**
     * The text form (see the class comment) of recorded steps.
     *
     * @param seed the run's seed
     * @param lenient whether the run had the lenient policy
     * @param n the number of steps
     * @param type each step's type
     * @param task each step's task id
     * @param setStart where each step's runnable set starts in {@code pool} ({@code n + 1} entries)
     * @param pool the runnable sets' ids
     * @return the text
     */
    static String format(long seed, boolean lenient, int n, byte[] type, long[] task, int[] setStart, long[] pool) {
        StringBuilder sb = new StringBuilder(16 + n * 8).append(HEADER).append("0x")
                .append(Long.toHexString(seed).toUpperCase(Locale.ROOT));
        if (lenient) {
            sb.append(":lenient");
        }
        for (int i = 0; i < n; i++) {
            sb.append(' ').append(task[i]).append(type[i] == StepLog.DISPATCH ? '/' : type[i] == StepLog.STAY ? '=' : '^');
            for (int j = setStart[i]; j < setStart[i + 1]; j++) {
                if (j > setStart[i]) {
                    sb.append('.');
                }
                sb.append(pool[j]);
            }
        }
        return sb.toString();
    }

    /** The text form. */
    @Override
    public String toString() {
        return format(seed, lenient, type.length, type, task, setStart, pool);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof StepScript s && s.seed == seed && s.lenient == lenient && Arrays.equals(s.type, type)
                && Arrays.equals(s.task, task) && Arrays.equals(s.setStart, setStart) && Arrays.equals(s.pool, pool);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(seed) * 31 + Arrays.hashCode(task);
    }
}
