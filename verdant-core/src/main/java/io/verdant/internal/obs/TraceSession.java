package io.verdant.internal.obs;

import io.verdant.TraceOptions;
import io.verdant.TraceRecording;
import io.verdant.internal.RuntimeCore;
import io.verdant.internal.sched.TraceControl;
import io.verdant.internal.timer.Clock;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.concurrent.locks.LockSupport;

/**
 * A trace the user started ({@code Verdant.startTrace}), or a frozen copy of the
 * flight recorder ({@code Verdant.flightRecording}).
 *
 * <pre>
 * Threads
 *   carriers     write their rings (TraceRing); they never touch this object, and
 *                nothing they write per event is shared with another writer.
 *   collector    one platform daemon thread per recording trace: it wakes every
 *                interval, drains every ring from this session's cursor into the
 *                lanes here (drain(), under this object's monitor), and names the
 *                green threads it sees for the first time (a name is read while the
 *                thread most likely still lives).
 *   users        stop(), events(), dropped(), write*(): under the monitor; a write
 *                drains first, then exports a copy outside the ring reads.
 *
 * What the collector costs (the carriers' cost is in Worker, "Tracing")
 *   Per drain and ring, a block of up to BLOCK_EVENTS events at a time: one
 *   published() read, then one pass over the ring's own words in at most two
 *   runs (TraceLane.stage: no copy of the events anywhere) that, per event,
 *   unpacks the four ring words (TraceRing, "Format"), tests whether its task id
 *   (and a slice's folded wake-up) has been named with one load and a compare in
 *   a direct-mapped table (TraceNames.seen; a miss is queued, named after the
 *   block is found whole), interns a parked slice's blocker with two identity
 *   compares in the common case (TraceLane "objects"), filters, and encodes what
 *   it keeps into a few bytes of the lane's staging array (branch-free varints);
 *   then one fence and claim read (a torn block is staged again, nothing of it
 *   committed), the queued names, and one bulk copy of the bytes into the lane
 *   (TraceLane: fixed chunks outside the Java heap, so nothing held is ever
 *   copied again, by the trace or by the garbage collector). Nothing is
 *   allocated on the heap but a chunk's small owner every TraceLane.CHUNK_BYTES
 *   of a lane.
 *   Measured (2-core VM, loaded by other work: indicative; per-thread CPU from
 *   ThreadMXBean, TraceProbe in verdant-bench, 1 and 2 workers; rounds 3-5 of
 *   two runs each): collector CPU per event 9.8-12.6 ns in a yield loop,
 *   11.0-13.0 in pingpong at 1 worker and 12.4-14.9 at 2, against 12.7-15.7,
 *   16.9-21.0 and 17.5-21.3 for the earlier collector (a staging block of five
 *   longs an event decoded from the ring, a pass that named and filtered it, a
 *   pass that encoded it) in the same window, alternating. Its history: 22 and
 *   28 ns with the lane holding 40 bytes an event (a page fault per 90 events),
 *   then 12-14 and 18-21 encoded. What is left (loaded, indicative): the same
 *   pass over a recorded yield or pingpong lane replayed into a ring in this
 *   core's cache costs 6.0 and 7.9 ns an event, of which encoding is 2.6 and 3.7
 *   (the rest unpacking, naming, interning); from an 8 MiB ring, 7.7 for yield;
 *   a synthetic ring written by another thread adds 1.5-3.5. In a live trace, a
 *   build that staged every block twice (the second pass reads lines the first
 *   brought into this core's cache) added 6-7.5 ns an event in yield and 7-8 in
 *   pingpong to the 11-14 of one pass: the pass's own work is about 6-8 ns, and
 *   reading the lines the carrier wrote on the other core the other 4-6. A pass
 *   that touched every ring line first, for more reads in flight, saved nothing
 *   measurable. The 3-5 ns aimed for was not reached: it would need both fewer
 *   ring bytes an event (the carriers' format) and half the pass's work.
 *   The interval adapts to how fast the rings fill: after each drain the next one
 *   is planned for when the fullest ring would be a quarter full at the rate just
 *   seen (TARGET_FILL), at least MIN_COLLECT_NANOS apart and at most the time a
 *   carrier ring takes to fill half at the fastest rate a carrier writes
 *   (FASTEST_EVENTS_PER_MICRO; or the interval given to start, if longer): a burst
 *   that begins while the collector sleeps long after a quiet period cannot fill
 *   a ring before it wakes. With the default rings that is a drain every 13 ms at
 *   most, about 80 a second whether the runtime is busy or idle (it was 500 when
 *   the collector drained every 2 ms); the ring's headroom absorbs a collector
 *   descheduled by the OS or a GC pause of some tens of milliseconds.
 *
 * Losing events, never blocking
 *   A ring holds a fixed number of events. If the collector is late by more
 *   than that (a descheduled collector on a loaded machine, a GC pause), the
 *   carrier has already overwritten the oldest ones: they are counted in
 *   dropped. A block that raced with the writer (TraceRing.validFrom says some
 *   events read may be torn) was only staged: nothing of it reaches the lane or
 *   the names (TraceNames.discard), and the
 *   drain reads again from the first valid event, counting the skipped ones.
 *   Lanes grow up to MAX_LANE_EVENTS; events beyond are dropped and counted
 *   too, as are events for which no direct memory was left (a chunk's
 *   allocation failed: -XX:MaxDirectMemorySize). Nothing a carrier does waits
 *   for this class.
 *
 * Stopping
 *   stop() notes the stop time, then asks the scheduler which carriers run a
 *   slice (TraceControl.slicesInFlight: the ring's published count before the
 *   carrier's current task, and its counts of traced slices begun and closed).
 *   It waits, at most STOP_WAIT_NANOS in all, until each carrier with a traced
 *   slice open has closed it (its SLICE published: InFlight.closed, Worker
 *   "Tracing"), drains once more, and for each carrier that had not (and had
 *   written no SLICE past that count, TraceRing.wrote),
 *   appends the slice cut at the stop time (ended "running", begun where the
 *   carrier's last slice or idle period in the lane ended, or at the trace's
 *   start), unless the trace holds maxEvents already (it is then dropped and
 *   counted, as drain does with what is beyond the limits). A stop called from a green thread does not wait for its own slice
 *   (TraceControl.InFlight.traced is false for it): that one is cut. So the trace holds every slice that ended before stop() returned,
 *   the wake-ups and spawns made in the slices still running (their arrows
 *   start in the cut slice), and no event written after the last drain. Then
 *   endSession (the last session removes the rings unless the flight recorder
 *   keeps them). The collector also stops the session when it sees the runtime
 *   closing, and close itself stops every session still recording once the
 *   carriers have stopped, and waits for its collector (stopAll): no collector
 *   thread outlives close.
 *   A start that fails after beginSession (the collector thread cannot start:
 *   OutOfMemoryError "unable to create native thread") ends the session before
 *   it throws: every beginSession is matched by exactly one endSession.
 *   A flight recording (flight()) is a copy made without waiting: the slices
 *   running at the copy are cut at the copy time in the same way.
 * </pre>
 */
public final class TraceSession implements TraceRecording {
    /** Events per carrier ring of a trace started without the flight recorder:
     * 2^17 events (5.5 MiB per carrier with the object and extra slots, TraceRing "Memory"),
     * about 40 ms of a carrier writing three million events a second, so the
     * collector can drain a busy runtime about 100 times a second instead of 500
     * and still has three quarters of the ring as headroom. */
    public static final int DEFAULT_RING_EVENTS = io.verdant.TraceOptions.DEFAULT_RING_EVENTS;
    /** The collector's first interval: 10 ms; later ones adapt (class comment). */
    static final long COLLECT_NANOS = 10_000_000L;
    /** The shortest interval: 1 ms (a ring filling faster than a quarter per
     * millisecond loses events whatever the collector does). */
    static final long MIN_COLLECT_NANOS = 1_000_000L;
    /** The fastest a carrier writes events, per microsecond: 5 (a dispatch every 400 ns that
     * also wakes another thread; Verdant's fastest switch is a yield of about 250 ns, one event).
     * Bounds the collector's interval (class comment). */
    static final int FASTEST_EVENTS_PER_MICRO = 5;
    /** How full the fullest ring should be when the collector drains it: a quarter. */
    static final double TARGET_FILL = 0.25;
    /** How long stop() waits in all for the slices running when it was called: 500 ms.
     * A slice ends at its next park, yield or safepoint (a timeslice, 10 ms by default,
     * with preemption on); the bound is for a slice that does not (preemption off, a
     * thread stuck in native code), which is then cut at the stop time. */
    static final long STOP_WAIT_NANOS = 500_000_000L;
    /** Events kept per lane: 2^21 bounds a forgotten trace's memory (encoded, TraceLane: about 6 MiB
     * of direct memory for a switch loop's slices, at most 107 MiB for events of arbitrary words);
     * about a second of a carrier at full switching speed. */
    static final int MAX_LANE_EVENTS = 1 << 21;

    /** Events the collector reads from a ring at a time: 2^12 (128 KiB of ring words, encoded into at most
     * 204 KiB of staging bytes and usually some 10 KiB, before the block's tearing check). */
    static final int BLOCK_EVENTS = 1 << 12;

    /** The measured cost of one clock read, for the trace's metadata (measured once per JVM, lazily). */
    private static final double CLOCK_NANOS = clockCost();

    private final RuntimeCore core;
    private final TraceControl control;
    private final long collectNanos;
    private final long[] cursor;
    private final TraceLane[] lanes;
    /** The labels of the green threads the events mention (TraceNames). */
    private final TraceNames names;
    /** Bit t set: events of type t are kept (from the options' kinds). */
    private final int keepTypes;
    /** Whether parked slices keep their blocker and holder (Kind.PARKS). */
    private final boolean keepParks;
    /** Whether idle periods are exported (the lanes hold them either way: typesOf). */
    private final boolean keepIdle;
    /** The most events kept in all lanes. */
    private final long maxEvents;
    /** Whether the options limit the duration. */
    private final boolean timed;
    /** When the options' duration is up (System.nanoTime), if timed. */
    private final long deadline;
    /** Events kept (drained and not filtered out). */
    private long held;
    private String stopReason = "stopped";
    private final long startNanos;
    private long endNanos;
    private long dropped;
    private boolean recording;
    private Thread collector;
    /** Drains the collector made (shown by toString: how often it woke). */
    private long drains;

    private TraceSession(RuntimeCore core, TraceControl control, long collectNanos, long startNanos,
                         TraceOptions options) {
        this.core = core;
        this.control = control;
        this.collectNanos = collectNanos;
        int n = control.lanes();
        this.cursor = new long[n];
        this.lanes = new TraceLane[n];
        for (int i = 0; i < n; i++) {
            lanes[i] = new TraceLane();
        }
        this.names = new TraceNames(core);
        this.startNanos = startNanos;
        this.keepTypes = typesOf(options);
        this.keepParks = options.records(TraceOptions.Kind.PARKS);
        this.keepIdle = options.records(TraceOptions.Kind.IDLE);
        this.maxEvents = options.maxEvents();
        // 2^62 ns (146 years) bounds the duration: the deadline stays comparable by subtraction.
        long limit = options.maxDuration().map(d -> Math.min(RuntimeCore.toNanos(d, "maxDuration"), 1L << 62)).orElse(-1L);
        this.timed = limit >= 0;
        this.deadline = timed ? startNanos + limit : 0;
    }

    /**
     * The event types the lanes keep, as a bit mask (bit t: type t): what the options
     * keep, and idle periods always (data() leaves them out of the export unless kept):
     * an idle period's begin is the clock read that times the slices before it, whose
     * ends are mostly estimates (SliceTimes); without it they were spread over the
     * idle time up to the next clock read.
     */
    private static int typesOf(TraceOptions o) {
        int m = 1 << TraceEvent.SLICE | 1 << TraceEvent.IDLE;
        if (o.records(TraceOptions.Kind.WAKES)) {
            m |= 1 << TraceEvent.WAKE;
        }
        if (o.records(TraceOptions.Kind.SPAWNS)) {
            m |= 1 << TraceEvent.SPAWN;
        }
        if (o.records(TraceOptions.Kind.WAKES) || o.records(TraceOptions.Kind.SPAWNS)) {
            m |= 1 << TraceEvent.WAKE_FROM; // which of the two: decided per event (keep())
        }
        if (o.records(TraceOptions.Kind.STEALS)) {
            m |= 1 << TraceEvent.STEAL;
        }
        if (o.records(TraceOptions.Kind.SCHEDULER)) {
            m |= 1 << TraceEvent.PREEMPT | 1 << TraceEvent.STALL | 1 << TraceEvent.SPARE_START
                    | 1 << TraceEvent.SPARE_RETIRE | 1 << TraceEvent.QUEUE_DEPTH;
        }
        return m;
    }

    /**
     * The ring capacity for a flight recorder of {@code bytes} per carrier.
     *
     * @param bytes bytes per carrier
     * @return events per ring: the largest power of two that fits
     */
    public static int eventsFor(long bytes) {
        long events = Math.max(2, bytes / TraceRing.EVENT_BYTES);
        return Integer.highestOneBit((int) Math.min(events, 1 << 26));
    }

    /**
     * Starts a trace of {@code core}'s scheduler.
     *
     * @param core         a normal (not deterministic) runtime
     * @param ringEvents   events per carrier ring if none are installed yet
     * @param collectNanos the collector's first interval; later ones adapt, up to this one or
     *                     the default bound, whichever is longer (class comment)
     * @return the recording
     */
    public static TraceSession start(RuntimeCore core, int ringEvents, long collectNanos) {
        return start(core, TraceOptions.defaults().ringEvents(ringEvents), collectNanos);
    }

    /**
     * Starts a trace of {@code core}'s scheduler with {@code options}.
     *
     * @param core         a normal (not deterministic) runtime
     * @param options      ring size, kinds kept, limits
     * @param collectNanos the collector's first interval (see {@link #start(RuntimeCore, int, long)})
     * @return the recording
     */
    public static TraceSession start(RuntimeCore core, TraceOptions options, long collectNanos) {
        return start(core, options, collectNanos, Thread::start);
    }

    /**
     * {@link #start(RuntimeCore, TraceOptions, long)}, with {@code starter} starting the
     * collector thread (Thread::start; a test's may throw, as Thread.start does when no
     * native thread can be created).
     *
     * <p>Failure-atomic: if anything after beginSession throws (the collector's start:
     * OutOfMemoryError "unable to create native thread"), the session is ended before the
     * throwable propagates, so the rings it installed do not stay installed for good
     * (carriers would pay for tracing, and later traces would share them, for the
     * runtime's lifetime).
     */
    static TraceSession start(RuntimeCore core, TraceOptions options, long collectNanos,
                              java.util.function.Consumer<Thread> starter) {
        TraceControl control = core.scheduler.traceControl();
        TraceSession s = new TraceSession(core, control, collectNanos, Clock.SYSTEM.nanoTime(), options);
        // Cursors: where the rings stood before this trace began. A ring the session installs
        // (or that appears meanwhile) is read from its first event: carriers and the ticker
        // write into it as soon as it is installed, before this thread could read its count
        // (the ticker's first queue-depth samples were lost that way under load).
        TraceRing[] before = control.rings();
        long[] at = new long[before == null ? 0 : before.length];
        for (int i = 0; i < at.length; i++) {
            at[i] = before[i] == null ? 0 : before[i].published();
        }
        control.beginSession(options.ringEvents());
        try {
            Thread t = new Thread(null, s::collect, core.name + "-trace-collector", 0, false);
            t.setDaemon(true);
            synchronized (s) {
                TraceRing[] rings = control.rings();
                for (int i = 0; i < rings.length; i++) {
                    boolean kept = rings[i] != null && i < at.length && before[i] == rings[i];
                    s.cursor[i] = kept ? at[i] : 0;
                }
                s.recording = true;
                s.collector = t;
            }
            core.traces.add(s); // before the collector starts, so its stop() finds it there to remove
            starter.accept(t);
        } catch (Throwable failed) {
            // No collector runs (or ever will for this session): nobody else would end it.
            synchronized (s) {
                s.recording = false;
                s.stopReason = "failed to start";
            }
            core.traces.remove(s);
            control.endSession();
            throw failed;
        }
        return s;
    }

    /**
     * Starts a trace with the default ring size and collection interval.
     *
     * @param core a normal runtime
     * @return the recording
     */
    public static TraceSession start(RuntimeCore core) {
        return start(core, TraceOptions.defaults(), COLLECT_NANOS);
    }

    /**
     * Starts a trace with {@code options} and the default collection interval.
     *
     * @param core    a normal runtime
     * @param options ring size, kinds kept, limits
     * @return the recording
     */
    public static TraceSession start(RuntimeCore core, TraceOptions options) {
        return start(core, options, COLLECT_NANOS);
    }

    /**
     * A stopped copy of the flight recorder's rings: their last events.
     *
     * @param core a runtime with the flight recorder on
     * @return the copy
     */
    public static TraceSession flight(RuntimeCore core) {
        TraceControl control = core.scheduler.traceControl();
        TraceSession s = new TraceSession(core, control, 0, 0, TraceOptions.defaults());
        synchronized (s) {
            s.endNanos = Clock.SYSTEM.nanoTime();
            s.finish(0);
        }
        return s;
    }

    /**
     * Nanoseconds per {@code System.nanoTime()} read: the best of five rounds of
     * 2,000 reads (about 0.1 ms in all on a TSC clock source); the best round
     * leaves out a round the OS descheduled.
     */
    private static double clockCost() {
        double best = Double.MAX_VALUE;
        long sink = 0;
        for (int round = 0; round < 5; round++) {
            long t0 = System.nanoTime();
            for (int i = 0; i < 2_000; i++) {
                sink += System.nanoTime();
            }
            best = Math.min(best, (System.nanoTime() - t0) / 2_001.0);
        }
        return sink == 42 ? best + 1e-9 : best; // sink keeps the loop
    }

    private void collect() {
        long interval = collectNanos;
        long longest = Math.max(collectNanos, longestInterval(control.rings()));
        long last = System.nanoTime();
        while (true) {
            long wait = interval;
            if (timed) {
                wait = Math.max(0, Math.min(wait, deadline - Clock.SYSTEM.nanoTime()));
            }
            LockSupport.parkNanos(wait);
            double fill;
            String why = null;
            synchronized (this) {
                if (!recording) {
                    return;
                }
                fill = drain();
                drains++;
                if (held >= maxEvents) {
                    why = "maxEvents";
                } else if (timed && Clock.SYSTEM.nanoTime() - deadline >= 0) {
                    why = "maxDuration";
                }
            }
            if (why == null && core.isClosed()) {
                why = "runtime closed";
            }
            if (why != null) {
                stop(why);
                return;
            }
            long now = System.nanoTime();
            long slept = Math.max(1, now - last);
            last = now;
            // Plan the next drain for when the fullest ring is TARGET_FILL full at the rate seen.
            interval = fill <= 0 ? 2 * interval : (long) (slept * TARGET_FILL / fill);
            interval = Math.max(MIN_COLLECT_NANOS, Math.min(longest, interval));
        }
    }

    /** The time the smallest carrier ring takes to fill half at FASTEST_EVENTS_PER_MICRO. */
    private static long longestInterval(TraceRing[] rings) {
        int cap = Integer.MAX_VALUE;
        if (rings != null) {
            for (int i = 0; i < rings.length - 2; i++) { // the carrier slots, not the ticker's or outside ring
                if (rings[i] != null) {
                    cap = Math.min(cap, rings[i].capacity());
                }
            }
        }
        long nanos = cap == Integer.MAX_VALUE ? COLLECT_NANOS : cap / 2 * 1_000L / FASTEST_EVENTS_PER_MICRO;
        return Math.max(MIN_COLLECT_NANOS, nanos);
    }

    /**
     * Holding the monitor: moves what the rings hold past each cursor into the lanes.
     *
     * @return the largest share of a ring's capacity drained from one ring (0 if none)
     */
    private double drain() {
        TraceRing[] rings = control.rings();
        if (rings == null) {
            return 0;
        }
        double fill = 0;
        for (int i = 0; i < rings.length; i++) {
            TraceRing r = rings[i];
            if (r != null) {
                long before = cursor[i];
                drain(i, r);
                fill = Math.max(fill, (double) (cursor[i] - before) / r.capacity());
            }
        }
        return fill;
    }

    /**
     * Holding the monitor: one ring's new events into its lane, a block at a time
     * (class comment): staged from the ring's words into the lane's staging bytes
     * (TraceLane.stage), checked for tearing, then the names the block queued and
     * one bulk copy into the lane (commit); a torn block is dropped whole and read
     * again from the first valid event.
     */
    private void drain(int lane, TraceRing r) {
        TraceLane l = lanes[lane];
        long from = cursor[lane];
        int cap = r.capacity();
        long p = r.published();
        int retries = 0;
        while (from < p) {
            long start = Math.max(from, p - cap);
            dropped += start - from; // overwritten before this read
            from = start;
            int room = MAX_LANE_EVENTS - l.count();
            if (room <= 0) {
                dropped += p - from; // beyond the lane's cap
                break;
            }
            int n = (int) Math.min(Math.min(p - from, BLOCK_EVENTS), room);
            int staged = l.stage(r, from, n, keepTypes, keepParks, maxEvents - held, names);
            long valid = r.validFrom();
            if (valid > from) {
                // Some events may have been overwritten while they were read: skip what is
                // gone and read again (a writer laps a reader only when it is far behind;
                // after three tries in a row the rest is counted as dropped).
                names.discard();
                if (++retries == 3) {
                    dropped += p - from;
                    break;
                }
                long skip = Math.min(valid, p);
                dropped += skip - from;
                from = skip;
                continue;
            }
            names.resolve();
            dropped += l.stagedOver(); // beyond maxEvents
            int got = l.commit();
            if (got < staged) { // no direct memory left for a chunk
                dropped += staged - got;
            }
            held += got;
            from += n;
            retries = 0;
        }
        cursor[lane] = p;
    }

    @Override
    public void stop() {
        stop("stopped");
    }

    /** Stops, saying why (toString shows it). */
    private void stop(String why) {
        Thread c;
        synchronized (this) {
            if (!recording) {
                return;
            }
            endNanos = Clock.SYSTEM.nanoTime();
            finish(STOP_WAIT_NANOS);
            recording = false;
            stopReason = why;
            c = collector;
            notifyAll();
        }
        LockSupport.unpark(c);
        core.traces.remove(this);
        control.endSession();
    }

    /**
     * The closer (RuntimeCore.close, once the carriers have stopped): stops every
     * trace of {@code core} still recording ("runtime closed"), and waits up to a
     * second for each one's collector thread to end, so none outlives close. An
     * interrupt does not cut the wait short; it is set again on return.
     */
    public static void stopAll(RuntimeCore core) {
        boolean interrupted = false;
        for (TraceSession s : core.traces) {
            s.stop("runtime closed");
            Thread c;
            synchronized (s) {
                c = s.collector;
            }
            long deadline = System.nanoTime() + 1_000_000_000L;
            for (long left; c != null && c.isAlive() && (left = deadline - System.nanoTime()) > 0; ) {
                try {
                    c.join(java.util.concurrent.TimeUnit.NANOSECONDS.toMillis(left) + 1);
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Waits until the trace has stopped (by {@link #stop()}, its options' limits
     * or the runtime's closing), at most {@code nanos}.
     *
     * @param nanos how long to wait at most
     * @return true if it has stopped
     * @throws InterruptedException if the caller is interrupted
     */
    public synchronized boolean awaitStop(long nanos) throws InterruptedException {
        long end = System.nanoTime() + nanos;
        while (recording) {
            long left = end - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            java.util.concurrent.TimeUnit.NANOSECONDS.timedWait(this, left);
        }
        return true;
    }

    /**
     * Holding the monitor, endNanos set: waits up to {@code waitNanos} for the
     * slices running now to end, drains, and cuts those still running at
     * endNanos ("Stopping" in the class comment).
     */
    private void finish(long waitNanos) {
        java.util.List<TraceControl.InFlight> running = control.slicesInFlight();
        long deadline = System.nanoTime() + waitNanos;
        boolean waiting = true;
        while (waiting && waitNanos > 0) {
            waiting = false;
            for (TraceControl.InFlight f : running) {
                waiting |= f.traced() && !f.closed();
            }
            if (waiting) {
                if (System.nanoTime() - deadline >= 0) {
                    break;
                }
                LockSupport.parkNanos(20_000); // a slice ends within microseconds, usually
            }
        }
        boolean[] ended = new boolean[running.size()];
        for (int i = 0; i < ended.length; i++) {
            ended[i] = running.get(i).traced() && running.get(i).closed(); // its SLICE is seen by the drain
        }
        drain();
        TraceRing[] rings = control.rings();
        for (int i = 0; i < ended.length; i++) {
            TraceControl.InFlight f = running.get(i);
            if (ended[i] || f.taskId() == 0 || rings == null || f.lane() >= rings.length || rings[f.lane()] != f.ring()
                    || f.ring().wrote(TraceEvent.SLICE, f.from(), Math.max(f.from(), cursor[f.lane()]))) {
                continue; // it ended and is in the lane
            }
            TraceLane l = lanes[f.lane()];
            long begin = startNanos != 0 ? startNanos : Long.MIN_VALUE;
            for (int k = l.count() - 1; k >= 0; k--) {
                int type = TraceEvent.type(l.word(k, 0));
                if (type == TraceEvent.SLICE || type == TraceEvent.IDLE) {
                    begin = Math.max(begin, l.word(k, 2));
                    break;
                }
            }
            if (begin == Long.MIN_VALUE) {
                continue; // a flight copy with no earlier slice on the carrier: no begin to show
            }
            if (l.count() >= MAX_LANE_EVENTS || held >= maxEvents) {
                dropped++; // beyond a limit, like the events drain() cannot keep
            } else if (l.add(TraceEvent.header(TraceEvent.SLICE, 0,
                    TraceEvent.ENDED_RUNNING, f.priority()), Math.min(begin, endNanos), endNanos, f.taskId())) {
                held++;
                names.name(f.taskId());
            } else {
                dropped++; // no direct memory left for a chunk
            }
        }
    }

    @Override
    public void close() {
        stop();
    }

    @Override
    public synchronized boolean isRecording() {
        return recording;
    }

    @Override
    public synchronized long events() {
        long n = 0;
        for (TraceLane l : lanes) {
            n += l.count();
        }
        return n;
    }

    @Override
    public synchronized long dropped() {
        return dropped;
    }

    /**
     * A copy of what is held now (drained first if still recording).
     *
     * @return the data for the exporters
     */
    public synchronized TraceData data() {
        if (recording) {
            drain();
        }
        long[][] copy = new long[lanes.length][];
        Object[][] refCopy = new Object[lanes.length][];
        long[][] holderCopy = new long[lanes.length][];
        int[] counts = new int[lanes.length];
        long first = Long.MAX_VALUE;
        long last = Long.MIN_VALUE;
        for (int i = 0; i < lanes.length; i++) {
            counts[i] = lanes[i].count();
            copy[i] = lanes[i].events();
            refCopy[i] = lanes[i].refs();
            holderCopy[i] = lanes[i].extras();
            for (int j = 0, k = 0; j < copy[i].length; j += TraceRing.LONGS, k++) {
                if ((copy[i][j] & TraceEvent.EXTRA) == 0) {
                    holderCopy[i][k] = 0; // a stale slot
                } else if (holderCopy[i][k] > 0) {
                    names.name(holderCopy[i][k]);
                }
            }
        }
        // Estimated slice ends become display times; folded wake-ups become WAKE events
        // (TraceEvent: "Estimated times", "Folded wake-up").
        SliceTimes.apply(copy, counts);
        FoldedWakes.unfold(copy, refCopy, holderCopy, counts, (keepTypes & 1 << TraceEvent.WAKE) != 0);
        if (!keepIdle) {
            dropIdle(copy, refCopy, holderCopy, counts); // held only to time the slices (typesOf)
        }
        for (int i = 0; i < lanes.length; i++) {
            for (int j = 0; j < counts[i] * TraceRing.LONGS; j += TraceRing.LONGS) {
                long t = copy[i][j + 1];
                first = Math.min(first, t);
                int type = TraceEvent.type(copy[i][j]);
                last = Math.max(last, type == TraceEvent.SLICE || type == TraceEvent.IDLE ? copy[i][j + 2] : t);
            }
        }
        String[] laneNames = new String[lanes.length];
        for (int i = 0; i < laneNames.length; i++) {
            laneNames[i] = control.laneName(i);
        }
        // A slice that began just before the trace started is kept: the origin moves back to it.
        long start = first == Long.MAX_VALUE ? (startNanos != 0 ? startNanos : endNanos)
                : startNanos != 0 ? Math.min(startNanos, first) : first;
        // A stopped trace ends at its stop time, or later if a slice stop() waited for ended later
        // ("Stopping": it is kept whole; an end before it drew its bar past the HTML plot).
        long end = recording ? Math.max(Clock.SYSTEM.nanoTime(), last)
                : startNanos != 0 ? Math.max(endNanos, last) : Math.max(last, start);
        return new TraceData(core.name, core.id, core.scheduler.workerCount(), laneNames, copy, refCopy, holderCopy, counts,
                start, end, dropped, names.labels(), CLOCK_NANOS);
    }

    /** Removes the IDLE events of each lane (in place; counts updated), keeping the slots of the others aligned. */
    private static void dropIdle(long[][] lanes, Object[][] refs, long[][] holders, int[] counts) {
        final int w = TraceRing.LONGS;
        for (int lane = 0; lane < lanes.length; lane++) {
            long[] ev = lanes[lane];
            Object[] r = refs[lane];
            long[] hl = holders[lane];
            int o = 0;
            for (int k = 0; k < counts[lane]; k++) {
                if (TraceEvent.type(ev[k * w]) == TraceEvent.IDLE) {
                    continue;
                }
                if (o != k) {
                    System.arraycopy(ev, k * w, ev, o * w, w);
                    if (o < r.length) {
                        r[o] = k < r.length ? r[k] : null;
                    }
                    if (o < hl.length) {
                        hl[o] = k < hl.length ? hl[k] : 0;
                    }
                }
                o++;
            }
            counts[lane] = o;
        }
    }

    @Override
    public void writeChromeJson(Appendable out) {
        Objects.requireNonNull(out, "out");
        try {
            ChromeTraceWriter.write(data(), out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void writeChromeJson(Path file) {
        Objects.requireNonNull(file, "file");
        try (Writer w = Files.newBufferedWriter(file)) {
            writeChromeJson(w);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void writeHtml(Appendable out) {
        Objects.requireNonNull(out, "out");
        try {
            TraceHtml.write(data(), out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void writeHtml(Path file) {
        Objects.requireNonNull(file, "file");
        try (Writer w = Files.newBufferedWriter(file)) {
            writeHtml(w);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public synchronized String toString() {
        return "TraceRecording[" + core.name + (recording ? ", recording" : ", " + stopReason) + ", events=" + events()
                + ", dropped=" + dropped + ", collector drains=" + drains + "]";
    }
}
