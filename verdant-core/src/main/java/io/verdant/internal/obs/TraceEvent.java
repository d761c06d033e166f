package io.verdant.internal.obs;

/**
 * The kinds of trace events and their encoding in a {@link TraceRing}: a
 * header word and four payload words, all {@code long}.
 *
 * <pre>
 * header: bits 0-7 type, 8-15 found (SLICE) or source (WAKE_FROM), 16-23 ended (SLICE) or
 *         1 for a spawn (WAKE_FROM), 24-31 priority level (SLICE), bit 32 (REF) set by
 *         TraceRing.put when the event carries an object (see below), bit 33 (EXTRA)
 *         likewise for the extra long, bit 34 (ESTIMATED, SLICE) the end is an estimate;
 *         bits 35-63 are free in every copy a reader gets (in the ring they hold a
 *         SLICE's length: TraceRing, "Format", stores a SLICE in four words)
 *
 * type           written by                a            b              c        d
 * SLICE          the carrier, after it     begin nanos  end nanos      task id  woken task id,
 *                                                                               or 0 (see below)
 * WAKE           the carrier, in submit    slice begin  waker task id  woken task id
 * SPAWN          the carrier, in submit    slice begin  parent task id child task id
 * STEAL          the carrier, in search    nanos        victim carrier stolen task id
 * IDLE           the carrier, after park   begin nanos  end nanos      0
 * PREEMPT        the ticker                nanos        carrier        task id
 * STALL          the ticker                nanos        carrier        task id
 * SPARE_START    the ticker                nanos        spare carrier  stalled carrier
 * SPARE_RETIRE   the ticker                nanos        spare carrier  0
 * QUEUE_DEPTH    the ticker, per tick,     nanos        carrier, or -1 queued tasks
 *                when it changed                        for injection
 * WAKE_FROM      the ticker (timer), or    nanos        JDK thread id  woken task id
 *                any thread off the        (of the waker; 0 for timers)
 *                carriers, in submit
 * </pre>
 *
 * A SLICE that ended in a park carries its blocker ({@code LockSupport.getBlocker}
 * read at slice end) as the event's object ({@link TraceRing#put(long, long, long, long, Object)}):
 * the exporters render it with {@link WaitReasons}, the carrier never formats it. The
 * ring stores an object only when there is one and then sets {@link #REF} in the
 * header; a reader takes an event's object slot as meaningful only when that bit is
 * set (the slot of any other event may hold an older event's object).
 *
 * A SLICE ended {@link #ENDED_RUNNING} was not written by a carrier: the trace
 * stopped while that slice ran and did not end within the stop's wait
 * (TraceSession, "Stopping"); it is cut at the stop time.
 *
 * WAKE_FROM is a wake-up (or spawn) made by no green thread of the runtime: a
 * timer fired by the ticker ({@link #SOURCE_TIMER}, in the ticker's ring), the
 * JDK's I/O poller ({@link #SOURCE_IO}) or any other thread ({@link #SOURCE_OUTSIDE}),
 * both in the scheduler's outside ring, whose writers take its lock.
 *
 * A task id is {@code (generation << 32) | (index + 1)} of a green thread's pid
 * ({@code Task.traceId}), 0 for foreign work. Times are {@code Clock.SYSTEM} ({@code System.nanoTime()}): trace stamps are JVM-wide diagnostics, not the runtime clock.
 * WAKE and SPAWN read no clock: they carry the begin time of the slice in which
 * they happened, and are written before that slice's SLICE event. The word d is 0
 * in every event but a SLICE.
 *
 * Folded wake-up: the first WAKE of a slice is not written as an event: its woken
 * task id is the slice's word d (its time and waker are the slice's begin and task
 * id, which a WAKE would repeat). Further wake-ups of the slice, and spawns, are
 * events as above. TraceSession unfolds it when it builds a TraceData (a WAKE right
 * before the SLICE, d cleared): the exporters never see d.
 *
 * Estimated times: the carrier reads the clock at the end of a slice only every
 * Worker.STAMP_EVERY slices, or when the ticker's coarse clock moved since its last
 * read, and always at the begin of a slice whose task came from the injection
 * queues or a steal and around an idle park. Another slice end is the slice's begin
 * plus 1 ns and the SLICE has {@link #ESTIMATED}: a lower bound of the true time,
 * strictly increasing along the carrier. TraceSession replaces the estimates by
 * display times before export (SliceTimes).
 */
public final class TraceEvent {
    /** A thread off the runtime's carriers (timer, I/O poller, anyone else) made a task runnable. */
    public static final int WAKE_FROM = 10;

    /** A sample of a carrier's local queue depth, or of the injection queues' (carrier -1). */
    public static final int QUEUE_DEPTH = 11;

    /** Source of a WAKE_FROM: the ticker firing a timer (a sleep or a timeout). */
    public static final int SOURCE_TIMER = 1;
    /** ... the JDK's I/O poller (a socket became ready). */
    public static final int SOURCE_IO = 2;
    /** ... any other thread: a platform thread, a foreign virtual thread, another runtime's green thread. */
    public static final int SOURCE_OUTSIDE = 3;

    /** A green thread (or foreign task) ran on a carrier. */
    public static final int SLICE = 1;
    /** A running task made another runnable. */
    public static final int WAKE = 2;
    /** A running task started a green thread. */
    public static final int SPAWN = 3;
    /** The carrier took a task from another carrier. */
    public static final int STEAL = 4;
    /** The carrier parked with nothing to do. */
    public static final int IDLE = 5;
    /** The ticker asked a task to yield at its next safepoint. */
    public static final int PREEMPT = 6;
    /** The ticker found a carrier held by one task too long. */
    public static final int STALL = 7;
    /** The ticker started a spare carrier. */
    public static final int SPARE_START = 8;
    /** The ticker retired a spare carrier. */
    public static final int SPARE_RETIRE = 9;

    /** How a slice's task was found: from the LIFO slot. */
    public static final int FOUND_LIFO = 1;
    /** ... from the carrier's local queues. */
    public static final int FOUND_LOCAL = 2;
    /** ... from the runtime's injection queues. */
    public static final int FOUND_INJECTED = 3;
    /** ... stolen from another carrier. */
    public static final int FOUND_STOLEN = 4;
    /** ... from the carrier's yielded slot (it had yielded on this carrier). */
    public static final int FOUND_YIELDED = 5;

    /** Why a slice ended: the green thread parked (a blocking operation). */
    public static final int ENDED_PARK = 1;
    /** ... it yielded (Green.yield, or a park that found its permit). */
    public static final int ENDED_YIELD = 2;
    /** ... it honoured a preemption request at a safepoint. */
    public static final int ENDED_PREEMPT = 3;
    /** ... it ended. */
    public static final int ENDED_EXIT = 4;
    /** ... foreign work returned. */
    public static final int ENDED_DONE = 5;

    private static final String[] FOUND = {"?", "lifo", "local", "injected", "stolen", "yielded"};
    /** ... it was still running when the trace stopped: cut at the stop time (written by the trace, not the carrier). */
    public static final int ENDED_RUNNING = 6;

    /** Header bit set by {@link TraceRing#put(long, long, long, long, Object)} when the event carries an object. */
    public static final long REF = 1L << 32;
    /** Header bit 33: the event carries a long in its ring's extra slot (a slice that parked on a
     * mutex: the holder at the park, {@link WaitReasons#holderId}); set by the ring when it is not 0. */
    public static final long EXTRA = 1L << 33;

    private static final String[] ENDED = {"?", "park", "yield", "preempt", "exit", "done", "running"};
    private static final String[] SOURCE = {"?", "timer", "io", "outside"};

    /** Header bit 34 of a SLICE: its end time was not read from the clock but is its begin plus
     * 1 ns (a lower bound; see "Estimated times"). Set by the carrier; cleared by SliceTimes. */
    public static final long ESTIMATED = 1L << 34;

    private TraceEvent() {
    }

    /**
     * Packs a header.
     *
     * @param type     the event type
     * @param found    how the task was found (SLICE), else 0
     * @param ended    why the slice ended (SLICE), else 0
     * @param priority the task's priority level (SLICE), else 0
     * @return the header word
     */
    public static long header(int type, int found, int ended, int priority) {
        return (type & 0xFF) | (found & 0xFF) << 8 | (ended & 0xFF) << 16 | (long) (priority & 0xFF) << 24;
    }

    /**
     * True if the event carries an object in its ring slot ({@link #REF}).
     *
     * @param header a header
     * @return whether the event's object slot is meaningful
     */
    public static boolean hasRef(long header) {
        return (header & REF) != 0;
    }

    /**
     * Decodes its type.
     *
     * @param header a header
     * @return its type
     */
    public static int type(long header) {
        return (int) (header & 0xFF);
    }

    /**
     * Decodes how the slice's task was found.
     *
     * @param header a header
     * @return how the slice's task was found
     */
    public static int found(long header) {
        return (int) (header >>> 8 & 0xFF);
    }

    /**
     * Decodes why the slice ended.
     *
     * @param header a header
     * @return why the slice ended
     */
    public static int ended(long header) {
        return (int) (header >>> 16 & 0xFF);
    }

    /**
     * Decodes the slice's priority level.
     *
     * @param header a header
     * @return the slice's priority level
     */
    public static int priority(long header) {
        return (int) (header >>> 24 & 0xFF);
    }

    /**
     * Decodes its name in exports.
     *
     * @param found a FOUND_ code
     * @return its name in exports
     */
    public static String foundName(int found) {
        return found >= 0 && found < FOUND.length ? FOUND[found] : "?";
    }

    /**
     * Decodes the lane name of a WAKE_FROM source.
     *
     * @param source a SOURCE_ code
     * @return "timer", "io" or "outside"
     */
    public static String sourceName(int source) {
        return source >= 0 && source < SOURCE.length ? SOURCE[source] : "?";
    }

    /**
     * Decodes its name in exports.
     *
     * @param ended an ENDED_ code
     * @return its name in exports
     */
    public static String endedName(int ended) {
        return ended >= 0 && ended < ENDED.length ? ENDED[ended] : "?";
    }
}
