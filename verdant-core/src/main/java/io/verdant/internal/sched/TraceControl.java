package io.verdant.internal.sched;

import io.verdant.internal.obs.TraceEvent;
import io.verdant.internal.obs.TraceRing;
import io.verdant.internal.timer.Clock;

/**
 * Owns the trace rings of one scheduler: one per carrier slot (cores, then
 * spare slots), one for the ticker and one for wake-ups from outside the
 * carriers, and installs them while a trace records or for good when the
 * flight recorder is on.
 *
 * <pre>
 * State (all guarded by the scheduler's spareLock, the lock that guards the
 * carriers array, so a spare started concurrently gets its ring: startSpare
 * asks ringOf() under the same lock, before the spare's thread starts)
 *   rings      null while nothing records; else maxCarriers + 2 entries: the
 *              carrier slots, the ticker's (rings[maxCarriers]), the outside
 *              ring (rings[maxCarriers + 1]). A spare slot's ring is created when a spare
 *              first takes the slot (spares are rare; most runtimes never start
 *              one) and kept for later spares of the slot.
 *   events     capacity of each carrier ring in events (a power of two).
 *   sessions   traces started by the user and not stopped.
 *   flight     true if Config.flightRecorder is on: the rings stay installed.
 *
 * Installation writes each carrier's trace field opaquely (Worker, "Tracing");
 * a carrier notices within a few dispatches. Rings are never reused after they
 * were removed: a later trace gets new ones, so a reader of a removed ring
 * (a session's last drain) races with no new writer.
 *
 * The carriers never wait for anything here: they only read their own field.
 *
 * The outside ring (wake-ups by the JDK's I/O poller and by threads that are
 * not carriers of this runtime: Scheduler.submit's "anyone else" branch) has
 * many writers; they take its own monitor around the put (a few stores), so
 * the ring keeps one writer at a time. Those submissions inject (a CAS and a
 * signal) anyway; only while a trace records do they also lock. The field
 * outside is volatile: a submitter reads it once per submission.
 * Timer wake-ups are made on the ticker thread and go to the ticker's ring.
 * </pre>
 */
public final class TraceControl {
    /**
     * False only with {@code -Dverdant.trace=false}: carriers then never look
     * for a ring (their trace field reads as a constant null, folded by the JIT),
     * so no trace or flight recorder sees their events. A benchmarking switch,
     * not an API: it lets a benchmark measure "tracing not compiled in" against
     * "compiled in but off". Read once, at class initialisation.
     */
    public static final boolean COMPILED_IN = !"false".equalsIgnoreCase(System.getProperty("verdant.trace"));

    /** Events kept by the ticker's ring: preemption requests, stalls and spares
     * are rare (a few per tick at most), timer firings are not (every sleep and
     * timeout that expires): 2^14 events (704 KiB, TraceRing "Memory"); the
     * collector drains when the fullest ring, this one included, would be a
     * quarter full (TraceSession), so a burst of 12,000 firings between two
     * collections is held. */
    private static final int TICKER_EVENTS = 1 << 14;
    /** Events kept by the outside ring: wake-ups from off the carriers (I/O,
     * platform threads). Each took an injection; 2^14 events (704 KiB), drained
     * by the same rule as the ticker's ring. */
    private static final int OUTSIDE_EVENTS = 1 << 14;

    private volatile TraceRing outside;

    private final Scheduler scheduler;
    private TraceRing[] rings;
    private int events;
    private int sessions;
    private boolean flight;

    TraceControl(Scheduler scheduler) {
        this.scheduler = scheduler;
    }

    /**
     * Runtime start only, before any carrier runs: keeps rings of {@code eventsPerCarrier}
     * events installed for the runtime's lifetime (the flight recorder).
     *
     * @param eventsPerCarrier events per carrier ring, a power of two
     */
    public void keepFlightRecorder(int eventsPerCarrier) {
        synchronized (scheduler.spareLock()) {
            install(eventsPerCarrier);
            flight = true;
        }
    }

    /**
     * True if the flight recorder is on.
     *
     * @return whether rings stay installed
     */
    public boolean flightRecorder() {
        synchronized (scheduler.spareLock()) {
            return flight;
        }
    }

    /**
     * Any thread: a trace starts. Installs rings of {@code eventsPerCarrier}
     * events unless some are installed already (the flight recorder's, or
     * another trace's: traces share them, each reading with its own cursor).
     *
     * @param eventsPerCarrier events per carrier ring, a power of two
     */
    public void beginSession(int eventsPerCarrier) {
        synchronized (scheduler.spareLock()) {
            if (rings == null) {
                install(eventsPerCarrier);
            }
            sessions++;
        }
    }

    /** Any thread: a trace stopped; the last one removes the rings unless the flight recorder keeps them. */
    public void endSession() {
        synchronized (scheduler.spareLock()) {
            if (--sessions == 0 && !flight) {
                for (Worker w : scheduler.carriers()) {
                    w.setTraceOpaque(null);
                }
                scheduler.sysmon().trace = null;
                outside = null;
                rings = null;
            }
        }
    }

    /**
     * Any thread: the rings now (carrier slots, the ticker's, the outside ring), entries
     * null for spare slots never used; null if nothing records. The array is a copy.
     *
     * @return the installed rings, or null
     */
    public TraceRing[] rings() {
        synchronized (scheduler.spareLock()) {
            return rings == null ? null : rings.clone();
        }
    }

    /**
     * A slice a carrier was running when a trace asked ({@link #slicesInFlight}).
     *
     * @param lane     the carrier's slot (its lane and ring index)
     * @param ring     the carrier's ring
     * @param from     the ring's published count read just before the carrier's task:
     *                 the slice's SLICE event, once written, is numbered from there on
     * @param traced   true if the slice is being traced into {@code ring} (it will write a
     *                 SLICE when it ends) and is not the caller's own; false if it began
     *                 before the ring was installed, or if the caller is the green thread
     *                 running it (a stop called from a green thread: its slice goes on
     *                 after the stop, so waiting for it would only wait out the bound)
     * @param taskId   the running task's trace id
     * @param priority the running task's priority level
     * @param carrier  the carrier
     * @param opened   its count of traced slices begun, read at the stop (Worker, "Tracing")
     */
    public record InFlight(int lane, TraceRing ring, long from, boolean traced, long taskId, int priority,
                           Worker carrier, long opened) {
        /**
         * Any thread: whether the carrier has published the SLICE of the traced slice
         * it had open at the stop (acquire: the SLICE is then visible to a drain that
         * follows; Worker, "Tracing").
         *
         * @return true once that slice ended
         */
        public boolean closed() {
            return carrier.slicesClosedAcquire() - opened >= 0;
        }
    }

    /**
     * Any thread: the slices the carriers are running now, one per carrier that
     * has a ring installed and runs a task (TraceSession's stop waits for them).
     * Per carrier it reads the ring's published count (acquire), then the
     * carrier's counts of traced slices begun and closed (acquire; Worker,
     * "Tracing"), then its current task: a traced slice is open if the counts
     * differ (traced: the stop waits until it is closed, InFlight.closed); a
     * task running without one (begun before the ring) is cut, as is the caller's
     * own (a green thread or a virtual thread it started stopping a trace). Not current
     * alone: the carrier clears it before it writes the SLICE, and a stop that
     * read in between saw neither.
     *
     * @return the slices in flight, possibly none
     */
    public java.util.List<InFlight> slicesInFlight() {
        java.util.List<InFlight> out = new java.util.ArrayList<>();
        // The caller's own slice, which cannot end while the stop waits: the task its carrier,
        // one of ours, runs (its green thread, whatever uncaught-exception handler user code
        // gave it, or the virtual thread one started); else its handler, where the carrier
        // cannot be asked.
        Thread me = Thread.currentThread();
        Task mine = null;
        if (me.isVirtual()) {
            Thread carrier = io.verdant.internal.vthread.VirtualThreads.currentCarrier();
            if (carrier instanceof Worker w) {
                mine = w.scheduler() == scheduler ? w.currentTask() : null;
            } else if (carrier == null && me.getUncaughtExceptionHandler() instanceof Task k) {
                mine = k;
            }
        }
        synchronized (scheduler.spareLock()) {
            if (rings == null) {
                return out;
            }
            for (Worker w : scheduler.carriers()) {
                TraceRing r = rings[w.index];
                if (r == null) {
                    continue;
                }
                long from = r.published();
                long opened = w.slicesOpenedAcquire();
                boolean open = opened != w.slicesClosedAcquire();
                Task t = w.currentAcquire();
                if (t != null || open) {
                    // stampedRing is the carrier's own field, read racily: a long is never torn,
                    // and a stale value only makes the stop wait (bounded) or not wait for a slice
                    // that then is cut at the stop time.
                    out.add(new InFlight(w.index, r, from, open && w.stampedRing == r.serial && (mine == null || t != mine),
                            t == null ? 0 : t.traceId(), t == null ? 0 : t.priorityLevel(), w, opened));
                }
            }
        }
        return out;
    }

    /**
     * The name of lane {@code i} of {@link #rings()}.
     *
     * @param i a lane index
     * @return "carrier-i", "spare-j" or "ticker"
     */
    public String laneName(int i) {
        int cores = scheduler.workerCount();
        if (i < cores) {
            return "carrier-" + i;
        }
        int max = scheduler.maxCarriers();
        return i < max ? "spare-" + (i - cores) : i == max ? "ticker" : "outside";
    }

    /**
     * The number of lanes: carrier slots, the ticker, the outside ring.
     *
     * @return maxCarriers + 2
     */
    public int lanes() {
        return scheduler.maxCarriers() + 2;
    }

    /**
     * Any thread that is not a carrier of this runtime (Scheduler.submit's last
     * branch): records that it made {@code task} runnable, if a trace records.
     * The ticker records in its own ring (a timer fired), others in the outside
     * ring under its monitor. Reads the clock: no slice to inherit a time from.
     *
     * @param task  the task made runnable
     * @param spawn true if the submission starts the green thread
     * @param t     the calling thread
     * @return true if a trace records (a wake-up event was written, with a clock read)
     */
    boolean wakeFromOutside(Task task, boolean spawn, Thread t) {
        TraceRing o = outside;
        if (o == null) {
            return false;
        }
        if (t == scheduler.ticker()) {
            TraceRing r = scheduler.sysmon().trace;
            if (r != null) {
                r.put(TraceEvent.header(TraceEvent.WAKE_FROM, TraceEvent.SOURCE_TIMER, spawn ? 1 : 0, 0),
                        Clock.SYSTEM.nanoTime(), 0, task.traceId(), spawn ? task.traceName() : null);
            }
            return true;
        }
        int source = isPoller(t) ? TraceEvent.SOURCE_IO : TraceEvent.SOURCE_OUTSIDE;
        synchronized (o) {
            o.put(TraceEvent.header(TraceEvent.WAKE_FROM, source, spawn ? 1 : 0, 0), Clock.SYSTEM.nanoTime(),
                    t.threadId(), task.traceId(), spawn ? task.traceName() : null);
        }
        return true;
    }

    /**
     * True for the JDK's socket poller threads (sun.nio.ch.Poller, JDK 25: platform
     * system threads (InnocuousThread) named exactly "Read-Poller", "Write-Poller" or
     * "MasterPoller", virtual "SubPoller-n"): they unpark green threads whose socket
     * became ready. Known by name and, for the platform ones, class: a name ending in
     * "Poller" alone also matched the application's own threads (a "KafkaPoller"
     * sending to a green thread was drawn as an I/O wake-up).
     */
    static boolean isPoller(Thread t) {
        String n = t.getName();
        if (t.isVirtual()) {
            return n.startsWith("SubPoller-");
        }
        return (n.equals("Read-Poller") || n.equals("Write-Poller") || n.equals("MasterPoller"))
                && t.getClass().getName().equals("jdk.internal.misc.InnocuousThread");
    }

    /** Holding spareLock (startSpare): the ring for carrier slot {@code index}, created if needed; null if none records. */
    TraceRing ringOf(int index) {
        if (rings == null) {
            return null;
        }
        TraceRing r = rings[index];
        if (r == null) {
            r = rings[index] = new TraceRing(events);
        }
        return r;
    }

    /**
     * Holding spareLock: creates rings for the carriers, the ticker and the outside
     * and installs them. All are allocated before any is installed: a failed
     * allocation (OutOfMemoryError, a large ring) changes nothing, where it left the
     * rings made so far installed with no session to remove them.
     */
    private void install(int eventsPerCarrier) {
        Worker[] carriers = scheduler.carriers();
        TraceRing[] made = new TraceRing[scheduler.maxCarriers() + 2];
        for (Worker w : carriers) {
            Faults.traceRingAllocating();
            made[w.index] = new TraceRing(eventsPerCarrier);
        }
        TraceRing t = new TraceRing(Math.min(TICKER_EVENTS, eventsPerCarrier));
        made[made.length - 2] = t;
        TraceRing o = new TraceRing(Math.min(OUTSIDE_EVENTS, eventsPerCarrier));
        made[made.length - 1] = o;
        events = eventsPerCarrier;
        rings = made;
        for (Worker w : carriers) {
            w.setTraceOpaque(made[w.index]);
        }
        scheduler.sysmon().trace = t;
        outside = o;
    }
}
