package io.verdant.internal.obs;

import io.verdant.Pid;
import io.verdant.TraceOptions;
import io.verdant.TraceRecording;
import io.verdant.internal.GreenThread;
import io.verdant.internal.Pids;
import io.verdant.internal.RuntimeCore;
import io.verdant.internal.sched.TraceControl;
import io.verdant.internal.timer.Clock;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.Objects;
import java.util.concurrent.locks.LockSupport;

/**
 * A trace the user started ({@code Verdant.startTrace}), or a frozen copy of the
 * flight recorder ({@code Verdant.flightRecording}).
 *
 * <pre>
 * Threads
 *   carriers     write their rings (TraceRing); they never touch this object.
 *   collector    one platform daemon thread per recording trace: every
 *                COLLECT_NANOS it drains every ring from this session's cursor
 *                into the lanes here (drain(), under this object's monitor),
 *                keeping the kinds the options ask for, and names the green
 *                threads it sees for the first time. It stops the session when
 *                the options' duration is up or their event limit is reached.
 *   users        stop(), events(), dropped(), write*(): under the monitor; a write
 *                drains first, then exports a copy outside the ring reads.
 *
 * Names
 *   A spawn event carries the child's name (a String reference in the ring's
 *   object slot), and so does the slice in which a thread ends: names come from
 *   the events themselves, so a thread that ends before the collector first
 *   sees it is named too. Threads seen in no such event (spawned before the
 *   trace, still running after it) are looked up in the runtime's pid table
 *   when first seen.
 *
 * Losing events, never blocking
 *   A ring holds a fixed number of events. If the collector is late by more
 *   than that (a descheduled collector on a loaded machine, a GC pause), the
 *   carrier has already overwritten the oldest ones: the ring's copy reports
 *   them and they are added to dropped. Lanes here grow up to MAX_LANE_EVENTS;
 *   events beyond are dropped and counted too. Nothing a carrier does waits for
 *   this class.
 *
 * Stopping
 *   stop(): recording = false, wakes the collector, drains once more, then
 *   endSession (the last session removes the rings unless the flight recorder
 *   keeps them). The collector also stops the session when the runtime closes.
 * </pre>
 */
public final class TraceSession implements TraceRecording {
    /** Events per carrier ring of a trace started without the flight recorder ({@link TraceOptions#DEFAULT_RING_EVENTS}). */
    public static final int DEFAULT_RING_EVENTS = TraceOptions.DEFAULT_RING_EVENTS;
    /** How often the collector drains the rings: 2 ms (at most ~6,000 events per
     * carrier in between at 3 M dispatches/s, well inside a ring). Chosen, not measured. */
    static final long COLLECT_NANOS = 2_000_000L;
    /** Events kept per lane: 2^21 (64 MiB) bounds a forgotten trace's memory;
     * about a second of a carrier at full switching speed. */
    static final int MAX_LANE_EVENTS = 1 << 21;

    /** The measured cost of one clock read, for the trace's metadata (measured once per JVM, lazily). */
    private static final double CLOCK_NANOS = clockCost();

    private final RuntimeCore core;
    private final TraceControl control;
    private final long collectNanos;
    private final long[] cursor;
    private final long[][] lanes;
    /** Per lane, the blocker of each event that is a slice ended in a park (else null), by event. */
    private final Object[][] refs;
    /** Per lane, the holder ({@link WaitReasons#holderId}) of the mutex each parked slice waited on, by event. */
    private final long[][] holders;
    private final int[] counts;
    private final Map<Long, String> labels = new HashMap<>();
    /** Ids looked up in the pid table and found gone: named later if an event carries their name. */
    private final Set<Long> unnamed = new HashSet<>();
    /** Bit t set: events of type t are kept (from the options' kinds). */
    private final int keepTypes;
    /** Whether parked slices keep their blocker and holder (Kind.PARKS). */
    private final boolean keepParks;
    /** The most events kept in all lanes. */
    private final long maxEvents;
    /** Whether the options limit the duration. */
    private final boolean timed;
    /** When the options' duration is up (System.nanoTime), if timed. */
    private final long deadline;
    private long held;
    private String stopReason = "";
    private final long startNanos;
    private long endNanos;
    private long dropped;
    private boolean recording;
    private Thread collector;

    private TraceSession(RuntimeCore core, TraceControl control, long collectNanos, long startNanos,
                         TraceOptions options) {
        this.core = core;
        this.control = control;
        this.collectNanos = collectNanos;
        int n = control.lanes();
        this.cursor = new long[n];
        this.lanes = new long[n][];
        this.refs = new Object[n][];
        this.holders = new long[n][];
        this.counts = new int[n];
        Arrays.fill(lanes, new long[0]);
        Arrays.fill(refs, new Object[0]);
        Arrays.fill(holders, new long[0]);
        this.startNanos = startNanos;
        this.keepTypes = typesOf(options);
        this.keepParks = options.records(TraceOptions.Kind.PARKS);
        this.maxEvents = options.maxEvents();
        // 2^62 ns (146 years) bounds the duration: the deadline stays comparable by subtraction.
        long limit = options.maxDuration().map(d -> Math.min(RuntimeCore.toNanos(d, "maxDuration"), 1L << 62)).orElse(-1L);
        this.timed = limit >= 0;
        this.deadline = timed ? startNanos + limit : 0;
    }

    /** The event types the options keep, as a bit mask (bit t: type t). */
    private static int typesOf(TraceOptions o) {
        int m = 1 << TraceEvent.SLICE;
        if (o.records(TraceOptions.Kind.IDLE)) {
            m |= 1 << TraceEvent.IDLE;
        }
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

    /** Whether an event with header {@code h} is kept. */
    private boolean keep(long h) {
        int type = TraceEvent.type(h);
        if ((keepTypes & 1 << type) == 0) {
            return false;
        }
        if (type == TraceEvent.WAKE_FROM) {
            boolean spawn = TraceEvent.ended(h) == 1;
            return (keepTypes & 1 << (spawn ? TraceEvent.SPAWN : TraceEvent.WAKE)) != 0;
        }
        return true;
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
     * @param collectNanos how often the collector drains
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
     * @param collectNanos how often the collector drains
     * @return the recording
     */
    public static TraceSession start(RuntimeCore core, TraceOptions options, long collectNanos) {
        TraceControl control = core.scheduler.traceControl();
        TraceSession s = new TraceSession(core, control, collectNanos, Clock.SYSTEM.nanoTime(), options);
        control.beginSession(options.ringEvents());
        synchronized (s) {
            TraceRing[] rings = control.rings();
            for (int i = 0; i < rings.length; i++) {
                s.cursor[i] = rings[i] == null ? 0 : rings[i].published();
            }
            s.recording = true;
        }
        Thread t = new Thread(null, s::collect, core.name + "-trace-collector", 0, false);
        t.setDaemon(true);
        s.collector = t;
        t.start();
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
            s.drain();
            s.endNanos = Clock.SYSTEM.nanoTime();
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
        while (true) {
            long wait = collectNanos;
            if (timed) {
                wait = Math.max(0, Math.min(wait, deadline - Clock.SYSTEM.nanoTime()));
            }
            LockSupport.parkNanos(wait);
            String why = null;
            synchronized (this) {
                if (!recording) {
                    return;
                }
                drain();
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
        }
    }

    /** Holding the monitor: moves what the rings hold past each cursor into the lanes. */
    private void drain() {
        TraceRing[] rings = control.rings();
        if (rings == null) {
            return;
        }
        for (int i = 0; i < rings.length; i++) {
            TraceRing r = rings[i];
            if (r != null) {
                final int lane = i;
                TraceRing.Copy c = r.copy(cursor[i], (ev, rf, ex, off, len) -> append(lane, ev, rf, ex, off, len));
                cursor[i] = c.next();
                dropped += c.lost();
            }
        }
    }

    private void append(int lane, long[] ev, Object[] rf, long[] ex, int off, int len) {
        int n = len / TraceRing.LONGS;
        long[] a = lanes[lane];
        Object[] o = refs[lane];
        long[] hl = holders[lane];
        int have = counts[lane];
        for (int j = off; j < off + len; j += TraceRing.LONGS) {
            long h = ev[j];
            int type = TraceEvent.type(h);
            int e = j / TraceRing.LONGS;
            // Names first, from every event, kept or not.
            if (type == TraceEvent.SPAWN || (type == TraceEvent.WAKE_FROM && TraceEvent.ended(h) == 1)
                    || (type == TraceEvent.SLICE && TraceEvent.ended(h) == TraceEvent.ENDED_EXIT)) {
                if (rf[e] instanceof String name) {
                    named(ev[j + 3], name);
                }
            }
            if (type == TraceEvent.SLICE || type == TraceEvent.SPAWN || type == TraceEvent.WAKE
                    || type == TraceEvent.WAKE_FROM) {
                name(ev[j + 3]);
            }
            if (type == TraceEvent.WAKE || type == TraceEvent.SPAWN) {
                name(ev[j + 2]);
            }
            if (!keep(h)) {
                continue;
            }
            if (have >= MAX_LANE_EVENTS || held >= maxEvents) {
                dropped++;
                continue;
            }
            int need = (have + 1) * TraceRing.LONGS;
            if (need > a.length) {
                int grow = Math.max(need, Math.min(Math.max(2 * a.length, n * TraceRing.LONGS),
                        MAX_LANE_EVENTS * TraceRing.LONGS));
                a = Arrays.copyOf(a, Math.max(need, grow));
                lanes[lane] = a;
                o = Arrays.copyOf(o, a.length / TraceRing.LONGS);
                refs[lane] = o;
                hl = Arrays.copyOf(hl, a.length / TraceRing.LONGS);
                holders[lane] = hl;
            }
            System.arraycopy(ev, j, a, have * TraceRing.LONGS, TraceRing.LONGS);
            // Only a parked slice's object is its blocker (and only it has a holder); other slots hold stale ones.
            boolean parked = type == TraceEvent.SLICE && TraceEvent.ended(h) == TraceEvent.ENDED_PARK && keepParks;
            o[have] = parked ? rf[e] : null;
            hl[have] = parked ? ex[e] : 0;
            have++;
            held++;
        }
        counts[lane] = have;
    }

    /** Holding the monitor: a name an event carried for {@code id}. */
    private void named(long id, String name) {
        if (id == 0 || labels.containsKey(id)) {
            return;
        }
        unnamed.remove(id);
        Pid pid = Pids.of(core.id, (int) id - 1, (int) (id >>> 32));
        labels.put(id, name.isEmpty() ? pid.toString() : name + " " + pid);
    }

    /** The ids named last: ping-pong and yield loops repeat a few ids, so most events skip the map. */
    private long named0 = -1;
    private long named1 = -1;

    /** Holding the monitor: labels a green thread the first time it is seen. */
    private void name(long id) {
        if (id == named0 || id == named1) {
            return;
        }
        named1 = named0;
        named0 = id;
        if (id == 0 || labels.containsKey(id) || unnamed.contains(id)) {
            return;
        }
        Pid pid = Pids.of(core.id, (int) id - 1, (int) (id >>> 32));
        GreenThread<?> g = core.lookup(pid);
        String n = g == null ? null : g.name();
        if (g == null) {
            unnamed.add(id); // gone: an event that carries its name may still come
        } else {
            labels.put(id, n == null || n.isEmpty() ? pid.toString() : n + " " + pid);
        }
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
            drain();
            recording = false;
            stopReason = why;
            endNanos = Clock.SYSTEM.nanoTime();
            c = collector;
            notifyAll();
        }
        LockSupport.unpark(c);
        control.endSession();
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
        for (int c : counts) {
            n += c;
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
        long first = Long.MAX_VALUE;
        long last = Long.MIN_VALUE;
        for (int i = 0; i < lanes.length; i++) {
            copy[i] = Arrays.copyOf(lanes[i], counts[i] * TraceRing.LONGS);
            refCopy[i] = Arrays.copyOf(refs[i], counts[i]);
            holderCopy[i] = Arrays.copyOf(holders[i], counts[i]);
            for (int j = 0; j < copy[i].length; j += TraceRing.LONGS) {
                long t = copy[i][j + 1];
                first = Math.min(first, t);
                int type = TraceEvent.type(copy[i][j]);
                last = Math.max(last, type == TraceEvent.SLICE || type == TraceEvent.IDLE ? copy[i][j + 2] : t);
            }
        }
        String[] names = new String[lanes.length];
        for (int i = 0; i < names.length; i++) {
            names[i] = control.laneName(i);
        }
        // A slice that began just before the trace started is kept: the origin moves back to it.
        long start = first == Long.MAX_VALUE ? (startNanos != 0 ? startNanos : endNanos)
                : startNanos != 0 ? Math.min(startNanos, first) : first;
        long end = recording ? Math.max(Clock.SYSTEM.nanoTime(), last) : (startNanos != 0 ? endNanos : Math.max(last, start));
        // Holders named too (a holder may have run in no slice of the trace).
        for (long[] hs : holderCopy) {
            for (long h : hs) {
                if (h > 0) {
                    name(h);
                }
            }
        }
        return new TraceData(core.name, core.id, core.scheduler.workerCount(), names, copy, refCopy, holderCopy,
                counts.clone(), start, end, dropped, new HashMap<>(labels), CLOCK_NANOS);
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
                + ", dropped=" + dropped + "]";
    }
}
