package io.verdant.internal.sched;

/**
 * The statistics one carrier keeps about itself: plain {@code long} fields,
 * each written by exactly one thread, read by anyone (see {@code metrics()}).
 *
 * <pre>
 * Writers (single writer per field: no atomics, no fences)
 *   Every field but busyTicks and wakeups is written only on the owning carrier's OS thread:
 *   by the Worker loop itself (parks, noopWakeups, steals, the search counters, and waits,
 *   counted as it takes a green thread back from a park: GreenThread.takeCopy), or by green-thread
 *   code running on that carrier (spawned, exited, preemptionsHonored), which
 *   runs in sequence with the loop on the same OS thread. busyTicks is written
 *   by the ticker thread only (Sysmon.tick); wakeups by whichever thread unparks
 *   the carrier, always under the scheduler's idle lock. A green thread finds
 *   its carrier through Worker.ofCaller() (the JDK's carrier of the calling
 *   thread) and checks that it is running there.
 *   The dispatch count itself stays Worker.dispatches (it existed before, and
 *   is also read by the steal rule and the ticker); this class adds nothing to
 *   the dispatch path.
 *
 * Readers and memory ordering
 *   A reader (metrics(), the MXBean, a JFR periodic event) reads each field with
 *   a plain load on another thread. There is no happens-before edge: the reader
 *   sees, for each field independently, some value the owner wrote, possibly a
 *   few increments old (HotSpot keeps a plain field in a register only within
 *   one compiled method invocation, and every writer here stores it back before
 *   it returns to the worker loop). Sums over fields and carriers are therefore
 *   not one atomic snapshot; they are statistics, as tokio's worker metrics are.
 *   Tearing: JLS 17.7 allows a non-volatile long write to be split in two; the
 *   64-bit HotSpot JVMs Verdant runs on (JDK 25 has no 32-bit port) write an
 *   aligned long with one instruction. On a JVM that tore, a reader could see a
 *   wrong figure, never a wrong behaviour: nothing reads these for control.
 *
 * False sharing (issue 12)
 *   The object is padded on both sides, so that the counters the carrier writes
 *   (waits on every return of a green thread from a park with metrics on, parks, spawns, the
 *   search counters) never share a cache line with fields other threads write
 *   (Worker.notified, the LIFO slot, another carrier's counters). The two
 *   counters other threads write, busyTicks (the ticker, every tick the carrier
 *   runs a task) and wakeups (a notifier, under the idle lock), sit behind a
 *   64-byte gap of their own (WorkerCountersGap): before it they shared a line
 *   with waits and parks, so each tick of a busy carrier took that line from it
 *   (at most one miss per tick, 1 ms; small, but a miss on the park path for
 *   nothing). LayoutTest pins the grouping.
 * </pre>
 */
public final class WorkerCounters extends WorkerCountersForeign {
    /**
     * False only with {@code -Dverdant.metrics=false}: the statistics kept on the
     * switch path (a green thread's lastRanAt stamp per dispatch, the waits
     * count per return from a park, both on the carrier) are not kept, so a
     * benchmark can measure what they
     * cost. A benchmarking switch, not an API: metrics() then reports those
     * figures as 0 and snapshots no waiting times. Rare counters (spawns, exits,
     * steals, carrier parks, preemptions) are kept either way. Read once, at class
     * initialisation (a static final: the JIT removes the tests).
     */
    public static final boolean ON = !"false".equalsIgnoreCase(System.getProperty("verdant.metrics"));

    @SuppressWarnings("unused") private long q0, q1, q2, q3, q4, q5, q6, q7;

    WorkerCounters() {
    }

    /**
     * Adds every counter of {@code o} to this one. Caller holds the lock guarding this instance.
     * A counter added to this class must be added here too (RetiredCountersTest finds the fields
     * by reflection and fails on one left out).
     */
    void add(WorkerCounters o) {
        spawned += o.spawned;
        exited += o.exited;
        steals += o.steals;
        parks += o.parks;
        noopWakeups += o.noopWakeups;
        wakeups += o.wakeups;
        waits += o.waits;
        preemptionsHonored += o.preemptionsHonored;
        busyTicks += o.busyTicks;
        dispatchesRetired += o.dispatchesRetired;
        searches += o.searches;
        stealProbes += o.stealProbes;
        spinPhases += o.spinPhases;
        spinPasses += o.spinPasses;
        spinsFound += o.spinsFound;
        spinNanos += o.spinNanos;
        spawnYields += o.spawnYields;
        spawnSignals += o.spawnSignals;
    }
}

/** Padding in front of the counters (a class chain keeps the JVM from reordering it). */
abstract class WorkerCountersPad {
    @SuppressWarnings("unused") private long p0, p1, p2, p3, p4, p5, p6, p7;
}

/** The counters the owning carrier writes; see {@link WorkerCounters}. */
abstract class WorkerCountersFields extends WorkerCountersPad {
    /** Green threads spawned by code running on this carrier. */
    public long spawned;
    /** Green threads that ended on this carrier. */
    public long exited;
    /** Tasks this carrier took from another carrier's queues or LIFO slot. */
    public long steals;
    /** Times this carrier parked with nothing to do. */
    public long parks;
    /** Wake-ups after which the carrier found no work and parked again. */
    public long noopWakeups;
    /**
     * Times this carrier ran a green thread again after a park that took the thread off its
     * carrier (a Verdant blocking operation, or a JDK one that parks): counted by the carrier
     * as it takes the thread (GreenThread.takeCopy, the JDK's state UNPARKED), not on the park
     * path, which so carries no metric code (issue 12). A park that returned at once (its
     * permit already given) or parked pinned is none.
     */
    public long waits;
    /** Preemption requests acknowledged at a safepoint by a thread running here. */
    public long preemptionsHonored;
    /** Only in the scheduler's accumulator of retired spares: their dispatch counts. */
    long dispatchesRetired;

    /**
     * In a copy of the scheduler's accumulator of retired spares: their dispatch counts.
     *
     * @return the dispatches of the retired spares
     */
    public long dispatchesRetired() {
        return dispatchesRetired;
    }
    /** Times this carrier ran a search for work while holding a search token (Scheduler.search). */
    public long searches;
    /** Looks into another carrier's queues while searching (one per victim per pass), found or not. */
    public long stealProbes;
    /** Searches that went on into the spin phase after their steal passes found nothing. */
    public long spinPhases;
    /** Passes over the injection queues and the victims made in spin phases. */
    public long spinPasses;
    /** Spin phases that ended with work found (the others expired and the carrier went on to park). */
    public long spinsFound;
    /** Time spent in spin phases, in nanoseconds (the runtime's clock). */
    public long spinNanos;
    /** Yields of a spawner whose spawn overflowed this carrier's ring (Scheduler, "Back-pressure on a spawner"). */
    public long spawnYields;
    /** Spawns made here that signalled other carriers (Scheduler, "Signals per spawn"): a push
     * into an empty ring, or one that overflowed; the other spawns signal nobody. */
    public long spawnSignals;
}

/** A line's worth of padding between the owner's counters and the two other threads write. */
abstract class WorkerCountersGap extends WorkerCountersFields {
    @SuppressWarnings("unused") private long g0, g1, g2, g3, g4, g5, g6, g7;
}

/** The counters written by threads other than the owning carrier; see {@link WorkerCounters}, "False sharing". */
abstract class WorkerCountersForeign extends WorkerCountersGap {
    /** Times signalWork took this carrier off the idle list and unparked it. Written by
     * the notifier (any thread) under the scheduler's idle lock, the one exception to
     * "written by the owning carrier": the lock orders those writers (Scheduler.signalWork). */
    public long wakeups;
    /** Ticks (1 ms) in which the ticker saw this carrier run a task. Written by the ticker thread only. */
    public long busyTicks;
}
