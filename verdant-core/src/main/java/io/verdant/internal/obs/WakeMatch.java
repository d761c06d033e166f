package io.verdant.internal.obs;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * Which slice each wake-up (WAKE, SPAWN, WAKE_FROM) of a {@link TraceData} made
 * runnable: the one matching the three exporters share (ChromeTraceWriter's flows,
 * TraceHtml's arrows, GreenThreadView's runnable spans).
 *
 * <pre>
 * What a wake-up tells
 *   WAKE_FROM  its own time t (a clock read): it happened at t.
 *   WAKE/SPAWN no clock read: it happened in its waker's slice, the next SLICE of
 *              its lane if that is the waker's: between that slice's begin and end.
 *              (Without that slice: at its stamp, and it draws no arrow.)
 * Rule, per woken thread, its slices s0 &lt; s1 &lt; ... by begin
 *   A wake-up makes runnable a thread that is parked: the slices it can have made
 *   runnable (slots) are s0, every si whose previous slice ended in a park, and
 *   "after the last slice" if that one ended in a park (the thread had not run
 *   again when the trace ended). Each slot is made runnable by one wake-up (the
 *   JDK submits a parked thread once per unpark), and each wake-up makes one slot
 *   runnable: slot i can take a wake-up that happened before si began, and, for a
 *   WAKE_FROM, not before s(i-1) began. The slots are filled in time order, each
 *   with the wake-up, among those that can still be its, whose latest possible
 *   time (t, or its waker's slice's end) is earliest: a later slot's wake-up
 *   happened after this slot's previous slice ended, so of two candidates the
 *   one that must have happened sooner is this slot's. So one waker slice that wakes a thread
 *   twice points at two slices, and a long waker slice whose woken thread ran a
 *   slice woken by someone else after it began points past that slice.
 *   A WAKE or SPAWN whose waker's slice ended before s(i-1) began is not slot i's
 *   either, but the end shown may be an estimate, kept below a later clock read
 *   such as that begin (SliceTimes): such a wake-up goes to a slice only when no
 *   other can (the one that ended latest first). So a wake-up whose woken slice
 *   was dropped (a flight recording keeps less of a busy carrier) does not shift
 *   the thread's later arrows by one.
 * </pre>
 * Built once per export; not thread-safe.
 */
final class WakeMatch {
    /**
     * A slice of a green thread.
     *
     * @param begin  its begin, absolute nanoseconds
     * @param end    its end
     * @param lane   its lane
     * @param event  its event number in the lane
     * @param ended  why it ended (TraceEvent ENDED_)
     */
    record Slice(long begin, long end, int lane, int event, int ended) {
    }

    /**
     * A wake-up or spawn, and what it made runnable.
     *
     * @param lane   its lane
     * @param event  its event number in the lane
     * @param type   TraceEvent WAKE, SPAWN or WAKE_FROM
     * @param spawn  whether it started the thread (SPAWN, or a WAKE_FROM spawn)
     * @param by     WAKE/SPAWN: the waker's task id; WAKE_FROM: its TraceEvent SOURCE_ code
     * @param woken  the woken task id
     * @param stamp  the earliest it happened: its time, or its waker's slice's begin
     * @param at     the latest it happened: its time, or its waker's slice's end (its stamp
     *               without that slice)
     * @param waker  WAKE/SPAWN: the event number of its waker's slice in the lane, or -1
     */
    record Wake(int lane, int event, int type, boolean spawn, long by, long woken, long stamp, long at, int waker) {
    }

    private final Map<Long, List<Slice>> slices = new HashMap<>();
    private final Map<Long, List<Wake>> wakes = new HashMap<>();
    /** By (lane &lt;&lt; 32 | event) of a wake-up: the slice it made runnable. */
    private final Map<Long, Slice> targets = new HashMap<>();
    /** Per thread: the wake-up that made it runnable after its last slice (or ever, with none). */
    private final Map<Long, Wake> afterLast = new HashMap<>();
    /** By slice (lane &lt;&lt; 32 | event): the wake-up that made it runnable. */
    private final Map<Long, Wake> causes = new HashMap<>();
    private final Map<Long, Wake> byEvent = new HashMap<>();

    private WakeMatch() {
    }

    /**
     * Matches the wake-ups of {@code d}.
     *
     * @param d the trace
     * @return the matching
     */
    static WakeMatch of(TraceData d) {
        WakeMatch m = new WakeMatch();
        for (int lane = 0; lane < d.lanes().length; lane++) {
            long[] ev = d.lanes()[lane];
            int n = d.counts()[lane];
            boolean carrier = lane < d.tickerLane();
            for (int k = 0; k < n; k++) {
                int j = k * TraceRing.LONGS;
                long h = ev[j];
                int type = TraceEvent.type(h);
                if (carrier && type == TraceEvent.SLICE && ev[j + 3] != 0) {
                    m.slices.computeIfAbsent(ev[j + 3], i -> new ArrayList<>())
                            .add(new Slice(ev[j + 1], ev[j + 2], lane, k, TraceEvent.ended(h)));
                } else if ((type == TraceEvent.WAKE || type == TraceEvent.SPAWN) && ev[j + 3] != 0) {
                    int w = -1;
                    for (int q = k + 1; q < n; q++) {
                        int jq = q * TraceRing.LONGS;
                        if (TraceEvent.type(ev[jq]) == TraceEvent.SLICE) {
                            if (ev[jq + 3] == ev[j + 2]) {
                                w = q;
                            }
                            break;
                        }
                    }
                    long at = w < 0 ? ev[j + 1] : Math.max(ev[j + 1], ev[w * TraceRing.LONGS + 2]);
                    m.add(new Wake(lane, k, type, type == TraceEvent.SPAWN, ev[j + 2], ev[j + 3], ev[j + 1], at, w));
                } else if (type == TraceEvent.WAKE_FROM && ev[j + 3] != 0) {
                    m.add(new Wake(lane, k, type, TraceEvent.ended(h) == 1, TraceEvent.found(h), ev[j + 3], ev[j + 1],
                            ev[j + 1], -1));
                }
            }
        }
        for (Map.Entry<Long, List<Slice>> e : m.slices.entrySet()) {
            e.getValue().sort(Comparator.comparingLong(Slice::begin).thenComparingInt(Slice::lane));
        }
        for (Map.Entry<Long, List<Wake>> e : m.wakes.entrySet()) {
            m.match(e.getKey(), e.getValue());
        }
        return m;
    }

    private void add(Wake w) {
        wakes.computeIfAbsent(w.woken(), i -> new ArrayList<>()).add(w);
        byEvent.put(key(w.lane(), w.event()), w);
    }

    private static long key(int lane, int event) {
        return (long) lane << 32 | event;
    }

    /** Fills the slots of one thread (class comment). */
    private void match(long id, List<Wake> ws) {
        List<Slice> ss = slices.getOrDefault(id, List.of());
        ws.sort(Comparator.comparingLong(Wake::stamp));
        PriorityQueue<Wake> ready = new PriorityQueue<>(Comparator.comparingLong(Wake::at)
                .thenComparingLong(Wake::stamp).thenComparingInt(Wake::lane).thenComparingInt(Wake::event));
        // WAKE/SPAWNs whose waker's slice ended, as shown, before the slot's previous slice
        // began: taken only by a slot no other wake-up can be (latest first), see the class comment.
        PriorityQueue<Wake> late = new PriorityQueue<>(Comparator.comparingLong((Wake x) -> x.at()).reversed()
                .thenComparingInt(Wake::lane).thenComparingInt(Wake::event));
        int next = 0;
        int n = ss.size();
        for (int i = 0; i <= n && (next < ws.size() || !ready.isEmpty() || !late.isEmpty()); i++) {
            long begin = i < n ? ss.get(i).begin() : Long.MAX_VALUE;
            while (next < ws.size() && (i == n || ws.get(next).stamp() < begin)) {
                ready.add(ws.get(next++));
            }
            if (i > 0 && ss.get(i - 1).ended() != TraceEvent.ENDED_PARK) {
                continue;
            }
            long prevBegin = i > 0 ? ss.get(i - 1).begin() : Long.MIN_VALUE;
            while (!ready.isEmpty() && ready.peek().at() < prevBegin) {
                Wake early = ready.poll();
                if (early.type() != TraceEvent.WAKE_FROM) {
                    late.add(early);
                } // else its slice is not in the trace: a WAKE_FROM is exact
            }
            // (Not after the last slice: a thread shown runnable to the trace's end on a guess.)
            Wake w = !ready.isEmpty() ? ready.poll() : i < n ? late.poll() : null;
            if (w == null) {
                continue;
            }
            if (i < n) {
                Slice s = ss.get(i);
                targets.put(key(w.lane(), w.event()), s);
                causes.put(key(s.lane(), s.event()), w);
            } else {
                afterLast.put(id, w);
            }
        }
    }

    /**
     * The slices of green thread {@code id}, by begin (then lane).
     *
     * @param id a task id
     * @return its slices, empty if none
     */
    List<Slice> slices(long id) {
        return slices.getOrDefault(id, List.of());
    }

    /** Every green thread with a slice or a wake-up. */
    Iterable<Long> threads() {
        List<Long> ids = new ArrayList<>(slices.keySet());
        for (Long id : wakes.keySet()) {
            if (!slices.containsKey(id)) {
                ids.add(id);
            }
        }
        return ids;
    }

    /**
     * The wake-up event at {@code (lane, event)}, or null if that is none (or has no woken task).
     */
    Wake wake(int lane, int event) {
        return byEvent.get(key(lane, event));
    }

    /** The slice the wake-up at {@code (lane, event)} made runnable, or null (none in the trace). */
    Slice target(int lane, int event) {
        return targets.get(key(lane, event));
    }

    /** The wake-up that made the slice at {@code (lane, event)} runnable, or null. */
    Wake cause(int lane, int event) {
        return causes.get(key(lane, event));
    }

    /** The wake-up that made thread {@code id} runnable after its last slice in the trace (before any, with none), or null. */
    Wake afterLast(long id) {
        return afterLast.get(id);
    }
}
