package io.verdant.internal.sched;

import io.verdant.internal.obs.TraceRing;

/**
 * Owns the trace rings of one scheduler: one per carrier slot (cores, then
 * spare slots) and one for the ticker, and installs them in the carriers while
 * a trace records or for good when the flight recorder is on.
 *
 * <pre>
 * State (all guarded by the scheduler's spareLock, the lock that guards the
 * carriers array, so a spare started concurrently gets its ring: startSpare
 * asks ringOf() under the same lock, before the spare's thread starts)
 *   rings      null while nothing records; else maxCarriers + 1 entries, the
 *              last the ticker's. A spare slot's ring is created when a spare
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
 * The writers never wait for anything here: they only read their own field.
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
    public static final boolean COMPILED_IN = !"false".equals(System.getProperty("verdant.trace"));

    /** Events kept by the ticker's ring: its events are rare (preemption
     * requests, stalls, spares), a few per time slice at most. */
    private static final int TICKER_EVENTS = 1 << 12;

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
            flight = true;
            install(eventsPerCarrier);
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
                rings = null;
            }
        }
    }

    /**
     * Any thread: the rings now (carrier slots, then the ticker's last), entries
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
        return i < scheduler.maxCarriers() ? "spare-" + (i - cores) : "ticker";
    }

    /**
     * The number of lanes: carrier slots plus the ticker.
     *
     * @return maxCarriers + 1
     */
    public int lanes() {
        return scheduler.maxCarriers() + 1;
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

    /** Holding spareLock: creates rings for the cores and the ticker and installs them. */
    private void install(int eventsPerCarrier) {
        events = eventsPerCarrier;
        rings = new TraceRing[scheduler.maxCarriers() + 1];
        for (Worker w : scheduler.carriers()) {
            w.setTraceOpaque(ringOf(w.index));
        }
        TraceRing t = new TraceRing(Math.min(TICKER_EVENTS, eventsPerCarrier));
        rings[rings.length - 1] = t;
        scheduler.sysmon().trace = t;
    }
}
