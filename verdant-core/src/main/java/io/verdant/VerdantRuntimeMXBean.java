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
     * Green-thread waits in Verdant blocking operations.
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
     * Dead letters.
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
}
