package io.verdant.internal;

import io.verdant.internal.sched.Task;


/**
 * The fields of a {@link GreenThread} that every hand-off touches, declared in
 * a superclass of their own so that they sit right after {@link Task}'s header
 * fields, in the first 48 bytes of the object.
 *
 * <pre>
 * Why a class of its own
 *   In a ring of 10,000 green threads on rendezvous channels, the thread woken
 *   by a hop last ran 10,000 hops ago: its record is cold. One hop reads, of
 *   that record: the class word (VirtualThread calls execute() through the
 *   Executor interface), runContinuation and runtime (execute, dispatch),
 *   priority (submit, the LIFO rule), worker (written at dispatch), body and
 *   kin (its own GreenThread.current() and cancellation check in each
 *   blocking operation), lastRanAt and dispatches (after the slice). When these were
 *   GreenThread's own fields HotSpot placed them between offset 8 and 102 (the
 *   longs and booleans after ten references): two cache lines always, three
 *   when the object started in the upper half of a line (half the time, as
 *   objects are 8-byte aligned). HotSpot lays out a superclass's fields before
 *   its subclass's, so declared here they occupy bytes 24..48 and the whole
 *   per-hop set, header included, spans 0..48: one line for an object that
 *   starts at offset 0, 8 or 16 of a line, two otherwise (JOL, JDK 25,
 *   compressed oops and class pointers; see BENCHMARKS.md, ring).
 *   The preemption flag stays in GreenThread: dispatch reads it only while
 *   some preemption request is pending anywhere (Safepoints.pendingRequests).
 *
 * Fields (who writes them from which thread: see GreenThread, whose design
 * comment describes them; they only moved)
 *   runContinuation  set by a release store on the first execute() (the
 *                    start); replaced once by the carrier when the thread has
 *                    ended (GreenThread, "A finished thread's virtual thread"); volatile.
 *   runtime          final.
 *   body             the body until run() starts, then null (a dispatcher
 *                    puts its own back; see GreenThread): a Callable, or a
 *                    Runnable that is not also a Callable (spawn(Runnable)
 *                    stores the caller's own object: see GreenThread.run).
 *   kin              cancellation (see CancelNode); volatile.
 *   lastRanAt        stamped by the carrier after each slice (for an event
 *                    actor, by its dispatcher at the end of each turn); read
 *                    by anyone as a snapshot (plain int). An int, not the clock's long,
 *                    so that it and dispatches fit where the long was: the
 *                    record stays 104 bytes (GreenThread.waitedNanos says
 *                    what the 32 bits cover).
 *   dispatches       incremented by the carrier after each slice (for an
 *                    event actor, which has no slices, by its dispatcher
 *                    after each turn: one dispatcher at a time owns a
 *                    scheduled actor); read by anyone as a snapshot.
 *   queued           the queued-copy token: CAS false -> true by execute()
 *                    (any thread but the dispatching carrier, which passes
 *                    it on without a write), true -> false by the carrier at
 *                    the end of a dispatch that did not pass it on; volatile
 *                    (GreenThread, "One queued copy"). A boolean goes after the ints, at byte
 *                    48 (JOL, JDK 25), so the per-hop set spans 0..49: one line
 *                    for an object starting at offset 0 or 8 of a line (it was
 *                    0, 8 or 16). The object's size is unchanged: the byte came
 *                    out of the gap before GreenThread.index.
 *   Declaration order matters: HotSpot keeps the declaration order within one
 *   size class, and places this class's references first (Task ends with a
 *   reference), then the ints (bytes 40..48: lastRanAt, dispatches), then the
 *   boolean (JOL, JDK 25).
 * </pre>
 *
 * @param <T> the result type of the green thread
 */
abstract class GreenThreadHead<T> extends Task {
    /** The JDK's continuation runnable, installed by the first execute() (the start; see GreenThread). */
    @SuppressWarnings("unused") volatile Runnable runContinuation;
    /** The runtime this thread belongs to. */
    final RuntimeCore runtime;
    /** The body until run() starts (a Callable, or a Runnable that is not a Callable); then null, except for a
     * dispatcher (see GreenThread). */
    Object body;
    /** Cancellation: null, the token this thread is registered under, or its own token; see {@link CancelNode}. */
    volatile Object kin;
    /** When this thread last left a carrier: Ticker.coarseNanos in units of 2^STAMP_SHIFT ns, its low 32 bits with the
     * lowest set (0: never ran; see GreenThread.waitedNanos); carrier writes, anyone reads. */
    int lastRanAt;
    /** Slices run, modulo 2^32: the carrier adds one after each slice, an event actor's dispatcher after each of
     * its turns; anyone reads. */
    int dispatches;
    /** A copy of this thread is in a run queue or being dispatched (the token): set by CAS in execute(), cleared
     * by the carrier at the end of a dispatch that did not pass it on (see GreenThread, "One queued copy"). */
    @SuppressWarnings("unused") volatile boolean queued;

    /**
     * A record's per-hop fields, for {@link GreenThread}'s constructor.
     *
     * @param priority the run-queue level
     * @param runtime the runtime the thread belongs to
     * @param body what the thread runs: a {@code Callable<? extends T>}, or a {@code Runnable} that is not a Callable
     */
    GreenThreadHead(int priority, RuntimeCore runtime, Object body) {
        super(priority);
        this.runtime = runtime;
        this.body = body;
    }
}
