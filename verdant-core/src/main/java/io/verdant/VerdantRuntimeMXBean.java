package io.verdant;

/**
 * The management interface a runtime registers with
 * {@link Config.Builder#jmx(boolean)} as {@code io.verdant:type=Runtime,name=<name>}
 * in the platform MBean server, so JConsole, VisualVM and Mission Control can
 * chart its metrics live. Attributes are the counters and gauges of
 * {@link Verdant#metrics()}; each read sums the carriers' counters anew.
 */
public interface VerdantRuntimeMXBean {
    /**
     * The runtime's name.
     *
     * @return the name
     */
    String getName();

    /**
     * Green threads spawned.
     *
     * @return the count
     */
    long getSpawned();

    /**
     * Green threads ended.
     *
     * @return the count
     */
    long getExited();

    /**
     * Live green threads.
     *
     * @return the gauge
     */
    long getLiveThreads();

    /**
     * Dispatches over all carriers.
     *
     * @return the count
     */
    long getPolls();

    /**
     * Tasks stolen between carriers.
     *
     * @return the count
     */
    long getSteals();

    /**
     * Carrier parks.
     *
     * @return the count
     */
    long getParks();

    /**
     * Green-thread waits: parks that took a green thread off its carrier (in Verdant or JDK
     * blocking operations), counted when the thread resumes.
     *
     * @return the count
     */
    long getWaits();

    /**
     * Preemption requests made.
     *
     * @return the count
     */
    long getPreemptionsRequested();

    /**
     * Preemption requests honoured at a safepoint.
     *
     * @return the count
     */
    long getPreemptionsHonored();

    /**
     * Stalls reported.
     *
     * @return the count
     */
    long getStalls();

    /**
     * Spare carriers alive.
     *
     * @return the gauge
     */
    int getSparesAlive();

    /**
     * Carriers alive (cores and spares).
     *
     * @return the gauge
     */
    int getCarriers();

    /**
     * Dead letters, as {@link Verdant#deadLetterCount()} counts them.
     *
     * @return the count
     */
    long getDeadLetters();

    /**
     * Supervisor restarts.
     *
     * @return the count
     */
    long getSupervisorRestarts();

    /**
     * Tasks waiting in the injection queues.
     *
     * @return the gauge
     */
    int getInjectionQueueDepth();

    /**
     * Tasks waiting in each carrier's local queues, in carrier order.
     *
     * @return one gauge per carrier
     */
    int[] getLocalQueueDepths();

    /**
     * A text dump of the runtime (see {@link Verdant#dump(Appendable, DumpOptions)}).
     *
     * @param stacks whether to include stacks
     * @return the dump
     */
    String dump(boolean stacks);

    /**
     * A JSON dump of the runtime, without stacks.
     *
     * @return the dump
     */
    String dumpJson();

    /**
     * The {@code n} green threads with the largest {@code by} now, largest first, one
     * line each (pid, name, state, run time, dispatches, mailbox depth, time waiting,
     * wait reason), after a header line; see {@link Verdant#snapshot()}.
     *
     * @param by {@code runTime} (since it started), {@code dispatches} (slices since it
     *           started), {@code mailbox} (messages waiting) or {@code waiting} (time since
     *           it last left a carrier); case does not matter
     * @param n  how many threads at most, from 1 to 1,000
     * @return the table
     * @throws IllegalArgumentException if {@code by} is none of those or {@code n} is out of range
     */
    String top(String by, int n);

    /**
     * The {@code n} green threads that did the most in a window, in the manner of
     * Erlang's {@code recon:proc_window}: takes a snapshot, waits {@code millis}, takes
     * another, and ranks the threads by what they did in between
     * ({@link RuntimeSnapshot#delta}); the lines give run time and dispatches in the
     * window. Blocks the caller for the window. A thread that ended during it is absent.
     *
     * @param by     {@code runTime} or {@code dispatches}; case does not matter
     * @param n      how many threads at most, from 1 to 1,000
     * @param millis the window, from 1 to 60,000 ms
     * @return the table
     * @throws IllegalArgumentException if {@code by}, {@code n} or {@code millis} is out of range
     * @throws IllegalStateException    if the caller is interrupted during the window
     */
    String topWindow(String by, int n, int millis);

    /**
     * True while a trace started by {@link #startTrace()} records.
     *
     * @return whether this bean's trace records
     */
    boolean isTraceRecording();

    /**
     * Starts a scheduling trace of the runtime (as {@link Verdant#startTrace()}),
     * held by this bean until {@link #stopTrace(String)}. One bean trace at a time;
     * traces started through the API are independent of it.
     *
     * @throws IllegalStateException if this bean's trace already records, or the
     *         runtime is closed or deterministic
     */
    void startTrace();

    /**
     * Stops the trace started by {@link #startTrace()} and writes it to
     * {@code path}, replacing the file: as self-contained HTML if the name ends
     * in {@code .html} or {@code .htm}, else as Chrome trace-event JSON (open it
     * in ui.perfetto.dev). A relative path is resolved against the monitored
     * JVM's working directory.
     *
     * @param path the file to write
     * @return a line saying what was written: events, dropped events and the absolute path
     * @throws NullPointerException if {@code path} is null
     * @throws IllegalArgumentException if {@code path} is empty or not a valid path
     * @throws IllegalStateException if no trace of this bean records
     * @throws java.io.UncheckedIOException if the file cannot be written (the trace is stopped and dropped)
     */
    String stopTrace(String path);

    /**
     * Records a scheduling trace for {@code seconds} seconds and writes it to
     * {@code path}, replacing the file, in one call: the call returns when the
     * file is written (or earlier, with what was recorded, if the runtime
     * closes meanwhile). HTML if the name ends in {@code .html} or {@code .htm},
     * else Chrome trace-event JSON, as {@link #stopTrace(String)}. Independent of
     * {@link #startTrace()}: it may run while the bean's own trace records, and
     * several may run at once.
     *
     * @param path    the file to write; a relative path is resolved against the monitored JVM's working directory
     * @param seconds how long to record, from 1 to 3600
     * @return the absolute path of the file written
     * @throws NullPointerException if {@code path} is null
     * @throws IllegalArgumentException if {@code path} is empty or not a valid path, or {@code seconds} is out of range
     * @throws IllegalStateException if the runtime is closed or deterministic, or the calling thread is
     *         interrupted while it waits (the trace is then stopped and not written)
     * @throws java.io.UncheckedIOException if the file cannot be written
     */
    String recordTrace(String path, int seconds);

    /**
     * Writes what the flight recorder holds now (as {@link Verdant#flightRecording()})
     * to {@code path}, replacing the file; HTML or Chrome JSON by the name's
     * ending, as {@link #stopTrace(String)}.
     *
     * @param path the file to write
     * @return a line saying what was written: events, dropped events and the absolute path
     * @throws NullPointerException if {@code path} is null
     * @throws IllegalArgumentException if {@code path} is empty or not a valid path
     * @throws IllegalStateException if the runtime has no flight recorder ({@link Config.Builder#flightRecorder(long)})
     * @throws java.io.UncheckedIOException if the file cannot be written
     */
    String dumpFlightRecording(String path);
}
