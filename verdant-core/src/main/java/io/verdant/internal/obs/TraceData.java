package io.verdant.internal.obs;

import java.util.Map;

/**
 * A finished copy of a trace, the input of the exporters: per lane (carrier
 * slots, then the ticker) the events in the order their writer wrote them.
 * Immutable once built; read by one exporter at a time.
 *
 * @param runtimeName the runtime's name
 * @param runtimeId   the runtime's id (the first part of its pids)
 * @param workers     core carriers (lanes 0 .. workers-1; then spare slots, then the ticker,
 *                    then the outside lane: see {@link #tickerLane()}, {@link #outsideLane()})
 * @param laneNames   the name of each lane
 * @param lanes       each lane's events, {@link TraceRing#LONGS} longs per event
 * @param refs        each lane's event object slots, by event: meaningful only for an event
 *                    whose header has {@link TraceEvent#REF} (the blocker of a slice that
 *                    ended in a park, rendered at export); other slots may hold an older
 *                    event's object (see {@link #blocker})
 * @param holders     each lane's mutex holders, by event: for a slice that parked on a
 *                    mutex, who held it at the park ({@link WaitReasons#holderId}: a task
 *                    id, minus a platform thread's id), else 0
 * @param counts      events held per lane
 * @param startNanos  the trace's time origin ({@code System.nanoTime()})
 * @param endNanos    when it stopped (or, if later, when the last slice it holds ended: one stop() waited
 *                    for), or the last event's time
 * @param dropped     events lost (overwritten before collected)
 * @param labels      task id to label ("name &lt;pid&gt;" or "&lt;pid&gt;")
 * @param clockNanos  measured cost of one {@code System.nanoTime()} read in nanoseconds
 *                    (tracing reads it at one slice end in 64, and at the begin of a
 *                    slice whose task was injected or stolen: on a VM whose clock source
 *                    is not the TSC it was most of the cost), or -1 if not measured
 */
public record TraceData(String runtimeName, long runtimeId, int workers, String[] laneNames, long[][] lanes,
                        Object[][] refs, long[][] holders, int[] counts, long startNanos, long endNanos, long dropped, Map<Long, String> labels,
                        double clockNanos) {

    /**
     * The label of a task in this trace.
     *
     * @param id a task id ({@link TraceEvent})
     * @return its label, "foreign" for 0
     */
    public String label(long id) {
        if (id == 0) {
            return "foreign";
        }
        String l = labels.get(id);
        return l != null ? l : "<" + runtimeId + "." + ((int) id - 1) + "." + (id >>> 32) + ">";
    }

    /**
     * The pid text of a task id.
     *
     * @param id a task id
     * @return {@code <runtime.index.generation>}, or "" for foreign work
     */
    public String pidOf(long id) {
        return id == 0 ? "" : "<" + runtimeId + "." + ((int) id - 1) + "." + (id >>> 32) + ">";
    }

    /**
     * The lane of the ticker's events (preemption requests, stalls, spares, timer wake-ups).
     *
     * @return its index
     */
    public int tickerLane() {
        return lanes.length - 2;
    }

    /**
     * The lane of wake-ups from off the carriers (I/O poller, other threads).
     *
     * @return its index
     */
    public int outsideLane() {
        return lanes.length - 1;
    }

    /**
     * The wait reason of the blocker a slice parked on, rendered now
     * ({@link WaitReasons#renderLater}: the blocker's identity; state that may have
     * changed since the park, such as a mutex's holder, is left out).
     *
     * @param lane  the slice's lane
     * @param event the slice's event number in that lane
     * @return the reason, or "" if none was recorded
     */
    public String blocker(int lane, int event) {
        Object[] r = refs[lane];
        long[] ev = lanes[lane];
        int j = event * TraceRing.LONGS;
        if (event >= r.length || j >= ev.length || !TraceEvent.hasRef(ev[j]) || TraceEvent.type(ev[j]) != TraceEvent.SLICE
                || TraceEvent.ended(ev[j]) != TraceEvent.ENDED_PARK || r[event] == null) {
            return "";
        }
        return WaitReasons.renderLater(r[event]);
    }

    /**
     * Who held the mutex a slice parked on, at the park.
     *
     * @param lane  the slice's lane
     * @param event the slice's event number in that lane
     * @return the holder ({@link WaitReasons#holderId}), 0 for none
     */
    public long holder(int lane, int event) {
        long[] h = holders[lane];
        return event < h.length ? h[event] : 0;
    }

    /**
     * The pid text of a holder.
     *
     * @param holder a holder ({@link #holder})
     * @return {@code <runtime.index.generation>} for a green thread, {@code thread #id} for
     *         another thread, "" for none
     */
    public String holderPid(long holder) {
        return holder > 0 ? pidOf(holder) : holder < 0 ? "thread #" + -holder : "";
    }

    /**
     * What a slice that parked waited on, as the exports show it: the blocker
     * ({@link #blocker}) and, for a mutex, " held by " and the holder at the park.
     *
     * @param lane  the slice's lane
     * @param event the slice's event number in that lane
     * @return the reason, or "" if none was recorded
     */
    public String parkReason(int lane, int event) {
        String b = blocker(lane, event);
        long h = holder(lane, event);
        if (h == 0 || b.isEmpty()) {
            return b;
        }
        return b + " held by " + (h > 0 ? label(h) : holderPid(h));
    }

    /**
     * Events held in all lanes.
     *
     * @return the total
     */
    public long events() {
        long n = 0;
        for (int c : counts) {
            n += c;
        }
        return n;
    }
}
