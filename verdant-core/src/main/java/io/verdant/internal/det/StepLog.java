package io.verdant.internal.det;

import java.util.Arrays;

/**
 * The record of a deterministic schedule's steps: a 64-bit running hash of
 * every step, a ring of the last {@link #RING} steps for failure reports, and,
 * when asked for (check mode), every step in full so that a second run of the
 * same schedule can be compared with it step by step.
 *
 * <pre>
 * A step
 *   one scheduling decision: a dispatch (the carrier gives a task the carrier)
 *   or a point (a running green thread reached a Verdant operation; the
 *   strategy kept it or switched). Fields: the task's id (first-admission
 *   order, see DetTask), the kind (the Verdant operation, or for a dispatch
 *   the operation the task last stopped at), the virtual time, who made the
 *   task runnable (a task id, WAKER_CARRIER for a yield, WAKER_TIMER,
 *   WAKER_OUTSIDE) and, when recording or comparing, a hash of the runnable
 *   set's ids in order.
 *
 * Threads
 *   Carrier only (the carrier and the green thread mounted on it, one at a
 *   time, in program order). The hash and count are volatile so a snapshot
 *   (trace()) may be taken from another thread.
 * </pre>
 */
final class StepLog {
    /** Steps kept for the failure report: enough to see the last few switches of a handful of threads. */
    static final int RING = 64;
    static final long WAKER_CARRIER = -1;
    static final long WAKER_TIMER = -2;
    static final long WAKER_OUTSIDE = -3;
    static final byte DISPATCH = 0;
    static final byte STAY = 1;
    static final byte SWITCH = 2;

    private volatile long hash;
    private volatile long count;

    private final long[] rTask = new long[RING];
    private final DetTask[] rWho = new DetTask[RING];
    private final String[] rKind = new String[RING];
    private final long[] rTick = new long[RING];
    private final long[] rWaker = new long[RING];
    private final byte[] rType = new byte[RING];

    /** Every step recorded (Exploration), and with the runnable set's hash (check mode). */
    private final boolean recording;
    private final boolean full;
    /** Recording stops when the run's roots have ended (later steps race the closer). */
    private boolean active = true;
    private long[] fTask;
    private String[] fKind;
    private long[] fTick;
    private long[] fRunnable;
    /** Per recorded step: its type, and where its runnable set's ids start in fPool (choices for StepScript). */
    private byte[] fType;
    private int[] fSetStart;
    private long[] fPool;
    private int fPoolSize;
    private int fSize;

    StepLog(int mode) {
        this.recording = mode != DetScheduler.RECORD_NONE;
        this.full = mode == DetScheduler.RECORD_FULL;
        if (recording) {
            // A short schedule (a lost-update test: ~40 steps) fits; longer ones double as they go.
            fTask = new long[64];
            fKind = new String[64];
            fTick = new long[64];
            fRunnable = new long[64];
            fType = new byte[64];
            fSetStart = new int[65];
            fPool = new long[128];
        }
    }

    /**
     * Records a step and returns its number (1-based).
     */
    long add(long task, DetTask who, String kind, long tick, long waker, byte type, long runnableHash,
             java.util.List<DetTask> runnable) {
        long n = count + 1;
        count = n;
        // +1 and odd multipliers: no step maps to 0, so an all-zero history still changes the hash.
        long h = mix(hash ^ ((task + 1) * 0x9E3779B97F4A7C15L));
        h = mix(h ^ ((kind.hashCode() + 0x1_0000_0001L) * 0xD6E8FEB86659FD93L));
        hash = mix(h ^ ((tick + 1) * 0xC2B2AE3D27D4EB4FL));
        int i = (int) ((n - 1) % RING);
        rTask[i] = task;
        rWho[i] = who;
        rKind[i] = kind;
        rTick[i] = tick;
        rWaker[i] = waker;
        rType[i] = type;
        if (recording && active) {
            record(task, kind, tick, type, runnableHash, runnable);
        }
        return n;
    }

    /**
     * The full record of one step. Under this log's monitor, so that
     * {@link #choices} may be read from another thread (Verdant.steps() on the
     * test thread); uncontended, it costs the carrier one lock per step, and
     * only when recording.
     */
    private synchronized void record(long task, String kind, long tick, byte type, long runnableHash,
                                     java.util.List<DetTask> runnable) {
        {
            if (fSize == fTask.length) {
                int cap = fSize * 2;
                fTask = Arrays.copyOf(fTask, cap);
                fKind = Arrays.copyOf(fKind, cap);
                fTick = Arrays.copyOf(fTick, cap);
                fRunnable = Arrays.copyOf(fRunnable, cap);
                fType = Arrays.copyOf(fType, cap);
                fSetStart = Arrays.copyOf(fSetStart, cap + 1);
            }
            fType[fSize] = type;
            fSetStart[fSize] = fPoolSize;
            fTask[fSize] = task;
            fKind[fSize] = kind;
            fTick[fSize] = tick;
            fRunnable[fSize] = runnableHash;
            fSize++;
            int k = runnable.size();
            if (fPoolSize + k > fPool.length) {
                fPool = Arrays.copyOf(fPool, Math.max(fPool.length * 2, fPoolSize + k));
            }
            for (int i = 0; i < k; i++) {
                fPool[fPoolSize++] = runnable.get(i).id;
            }
        }
    }

    /**
     * The recorded steps as a replayable list of choices ({@link StepScript}'s
     * text form), or null if this log does not record.
     */
    synchronized String choices(long seed, boolean lenient) {
        if (!recording) {
            return null;
        }
        int n = fSize;
        int[] starts = Arrays.copyOf(fSetStart, n + 1);
        starts[n] = fPoolSize;
        return StepScript.format(seed, lenient, n, fType, fTask, starts, fPool);
    }

    long hash() {
        return hash;
    }

    long count() {
        return count;
    }

    boolean recording() {
        return recording && active;
    }

    /** Whether steps carry the runnable set's hash (check mode). */
    boolean full() {
        return full;
    }

    /** Stops the full record: later steps are not compared. */
    synchronized void stopRecording() {
        active = false;
    }

    /** Recorded steps (check mode). */
    int recorded() {
        return fSize;
    }

    /**
     * Compares step {@code n} (1-based) of a second run with this recording.
     *
     * @return null if equal, else what this recording expected at that step
     */
    String mismatch(long n, long task, String kind, long tick, long runnableHash) {
        int i = (int) (n - 1);
        if (i >= fSize) {
            return "the end of the schedule (the first run had " + fSize + " steps)";
        }
        if (fTask[i] == task && fKind[i].equals(kind) && fTick[i] == tick && fRunnable[i] == runnableHash) {
            return null;
        }
        return describeRecorded(i);
    }

    String describeRecorded(int i) {
        return "#" + fTask[i] + " " + fKind[i] + " at tick " + fTick[i]
                + " (runnable set hash 0x" + Long.toHexString(fRunnable[i]) + ")";
    }

    /** The last {@code max} steps, oldest first, one per line, each indented. */
    String recent(int max, String indent) {
        long n = count;
        int k = (int) Math.min(Math.min(n, RING), max);
        StringBuilder sb = new StringBuilder();
        for (long s = n - k + 1; s <= n; s++) {
            int i = (int) ((s - 1) % RING);
            sb.append(indent).append(String.format("%6d  #%-3d %-22s %-9s %-28s tick=%d", s, rTask[i], rWho[i] == null ? "?" : rWho[i].name(),
                    rType[i] == DISPATCH ? "run" : rType[i] == SWITCH ? "switch at" : "point", rKind[i], rTick[i]));
            if (rType[i] == DISPATCH) {
                long w = rWaker[i];
                sb.append("  woken by ").append(w >= 0 ? "#" + w : w == WAKER_TIMER ? "a timer"
                        : w == WAKER_OUTSIDE ? "a thread outside the runtime" : "itself (yield) or the carrier");
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    /** SplitMix64's finaliser: a bijective 64-bit mix. */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
