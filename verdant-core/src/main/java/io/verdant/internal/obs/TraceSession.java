package io.verdant.internal.obs;

import io.verdant.Pid;
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
import java.util.Map;
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
 *                into the lanes here (drain(), under this object's monitor), and
 *                names the green threads it sees for the first time (a name is
 *                read while the thread most likely still lives).
 *   users        stop(), events(), dropped(), write*(): under the monitor; a write
 *                drains first, then exports a copy outside the ring reads.
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
    /** Events per carrier ring of a trace started without the flight recorder:
     * 2^15 events = 1 MiB per carrier, about 10 ms of a carrier switching three
     * million times a second: five times the collection interval. */
    public static final int DEFAULT_RING_EVENTS = 1 << 15;
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
    private final int[] counts;
    private final Map<Long, String> labels = new HashMap<>();
    private final long startNanos;
    private long endNanos;
    private long dropped;
    private boolean recording;
    private Thread collector;

    private TraceSession(RuntimeCore core, TraceControl control, long collectNanos, long startNanos) {
        this.core = core;
        this.control = control;
        this.collectNanos = collectNanos;
        int n = control.lanes();
        this.cursor = new long[n];
        this.lanes = new long[n][];
        this.refs = new Object[n][];
        this.counts = new int[n];
        Arrays.fill(lanes, new long[0]);
        Arrays.fill(refs, new Object[0]);
        this.startNanos = startNanos;
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
        TraceControl control = core.scheduler.traceControl();
        TraceSession s = new TraceSession(core, control, collectNanos, Clock.SYSTEM.nanoTime());
        control.beginSession(ringEvents);
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
        return start(core, DEFAULT_RING_EVENTS, COLLECT_NANOS);
    }

    /**
     * A stopped copy of the flight recorder's rings: their last events.
     *
     * @param core a runtime with the flight recorder on
     * @return the copy
     */
    public static TraceSession flight(RuntimeCore core) {
        TraceControl control = core.scheduler.traceControl();
        TraceSession s = new TraceSession(core, control, 0, 0);
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
            LockSupport.parkNanos(collectNanos);
            synchronized (this) {
                if (!recording) {
                    return;
                }
                drain();
            }
            if (core.isClosed()) {
                stop();
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
                TraceRing.Copy c = r.copy(cursor[i], (ev, rf, off, len) -> append(lane, ev, rf, off, len));
                cursor[i] = c.next();
                dropped += c.lost();
            }
        }
    }

    private void append(int lane, long[] ev, Object[] rf, int off, int len) {
        long[] a = lanes[lane];
        int have = counts[lane];
        int n = len / TraceRing.LONGS;
        int keep = Math.min(n, MAX_LANE_EVENTS - have);
        dropped += n - keep;
        if (keep <= 0) {
            return;
        }
        int need = (have + keep) * TraceRing.LONGS;
        if (need > a.length) {
            a = Arrays.copyOf(a, Math.max(need, Math.min(2 * a.length, MAX_LANE_EVENTS * TraceRing.LONGS)));
            lanes[lane] = a;
        }
        Object[] o = refs[lane];
        if (have + keep > o.length) {
            o = Arrays.copyOf(o, a.length / TraceRing.LONGS);
            refs[lane] = o;
        }
        System.arraycopy(ev, off, a, have * TraceRing.LONGS, keep * TraceRing.LONGS);
        counts[lane] = have + keep;
        for (int j = off, e = have; j < off + keep * TraceRing.LONGS; j += TraceRing.LONGS, e++) {
            int type = TraceEvent.type(ev[j]);
            // Only a parked slice's object is its blocker; other slots hold stale ones.
            o[e] = type == TraceEvent.SLICE && TraceEvent.ended(ev[j]) == TraceEvent.ENDED_PARK
                    ? rf[j / TraceRing.LONGS] : null;
            if (type == TraceEvent.SLICE || type == TraceEvent.SPAWN || type == TraceEvent.WAKE
                    || type == TraceEvent.WAKE_FROM) {
                name(ev[j + 3]);
            }
        }
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
        if (id == 0 || labels.containsKey(id)) {
            return;
        }
        Pid pid = Pids.of(core.id, (int) id - 1, (int) (id >>> 32));
        GreenThread<?> g = core.lookup(pid);
        String n = g == null ? null : g.name();
        labels.put(id, n == null || n.isEmpty() ? pid.toString() : n + " " + pid);
    }

    @Override
    public void stop() {
        Thread c;
        synchronized (this) {
            if (!recording) {
                return;
            }
            drain();
            recording = false;
            endNanos = Clock.SYSTEM.nanoTime();
            c = collector;
        }
        LockSupport.unpark(c);
        control.endSession();
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
        long first = Long.MAX_VALUE;
        long last = Long.MIN_VALUE;
        for (int i = 0; i < lanes.length; i++) {
            copy[i] = Arrays.copyOf(lanes[i], counts[i] * TraceRing.LONGS);
            refCopy[i] = Arrays.copyOf(refs[i], counts[i]);
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
        return new TraceData(core.name, core.id, core.scheduler.workerCount(), names, copy, refCopy, counts.clone(),
                start, end, dropped, new HashMap<>(labels), CLOCK_NANOS);
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
        return "TraceRecording[" + core.name + (recording ? ", recording" : ", stopped") + ", events=" + events()
                + ", dropped=" + dropped + "]";
    }
}
