package io.verdant.internal.obs;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The trace seen per green thread rather than per carrier (Go's goroutine
 * view): for each green thread, a time line of spans in which it was
 * <b>running</b> (a slice, on some carrier), <b>runnable</b> (made runnable,
 * waiting for a carrier) or <b>waiting</b> (parked, on some blocker). Built
 * from a {@link TraceData} at export; both exporters draw it.
 *
 * <pre>
 * Between two slices of a thread, by why the first one ended:
 *   park      waiting from its end until the thread was made runnable, then
 *             runnable until the next slice began. The wake-up of a slice is
 *             the one whose arrow points at it (WakeMatch). The carrier reads no
 *             clock for a wake-up by a green thread (it happened somewhere in
 *             the waker's slice), so it is placed at the end
 *             of the waker's slice, clamped between the park and the next slice:
 *             the runnable span shown is the least the thread can have waited for
 *             a carrier (ping-pong: exact, the waker parks right after waking).
 *             Wake-ups from off the carriers carry their own time. With no
 *             wake-up in the trace (dropped, or left out by the options) the
 *             whole gap is waiting.
 *   yield, preempt  runnable for the whole gap.
 * Before its first slice: runnable from its spawn or wake-up, if the trace has one.
 * After its last slice: waiting (park) or runnable (yield, preempt) until the
 * trace's end; nothing after an exit.
 * A thread made runnable in the trace that never ran in it is runnable until the end.
 * A running span ends no later than the thread's next slice begins: a carrier
 * stamps a slice's end after the thread unmounted, and a carrier descheduled
 * there stamps it late, while the thread, woken meanwhile, already runs on
 * another carrier (the carrier's own lane keeps the stamp it read).
 * Foreign work (task id 0) has no row.
 * </pre>
 * Not thread-safe; built and read by one exporter.
 */
final class GreenThreadView {
    /** A span's state: running on a carrier. */
    static final int RUNNING = 0;
    /** ... made runnable, not yet running. */
    static final int RUNNABLE = 1;
    /** ... parked. */
    static final int WAITING = 2;

    /** Why a runnable span began: a wake-up by a green thread ({@link Span#by} is its task id). */
    static final int CAUSE_WAKE = 1;
    /** ... a spawn by a green thread ({@link Span#by} is the parent's task id). */
    static final int CAUSE_SPAWN = 2;
    /** ... a wake-up from off the carriers ({@link Span#by} is the TraceEvent SOURCE_ code). */
    static final int CAUSE_WAKE_FROM = 3;
    /** ... a spawn from off the carriers ({@link Span#by} is the SOURCE_ code). */
    static final int CAUSE_SPAWN_FROM = 4;
    /** ... its slice ended in a yield. */
    static final int CAUSE_YIELD = 5;
    /** ... its slice ended in a preemption. */
    static final int CAUSE_PREEMPT = 6;

    /**
     * One span of a thread's time line.
     *
     * @param state RUNNING, RUNNABLE or WAITING
     * @param begin begin, absolute nanoseconds
     * @param end   end, absolute nanoseconds
     * @param lane  RUNNING: the slice's lane (its carrier); WAITING: the lane of the slice that
     *              parked (for its blocker); RUNNABLE: -1
     * @param event RUNNING, WAITING: that slice's event number in its lane; else -1
     * @param cause RUNNABLE: a CAUSE_ code; else 0
     * @param by    RUNNABLE: the waker's task id or the source (see the CAUSE_ codes); else 0
     */
    record Span(int state, long begin, long end, int lane, int event, int cause, long by) {
    }

    /**
     * One green thread's time line.
     *
     * @param id      its task id
     * @param running nanoseconds it ran in the trace
     * @param spans   its spans, in time order, not overlapping
     */
    record Row(long id, long running, List<Span> spans) {
    }

    private GreenThreadView() {
    }

    /**
     * Every green thread with a slice, spawn or wake-up in {@code d}, ordered by pid
     * (slot index, then generation).
     *
     * @param d the trace
     * @return one row per green thread
     */
    static List<Row> of(TraceData d) {
        WakeMatch match = WakeMatch.of(d);
        long traceEnd = d.endNanos();
        List<Long> ids = new ArrayList<>();
        for (Long id : match.threads()) {
            ids.add(id);
        }
        ids.sort(Comparator.comparingLong((Long id) -> id & 0xFFFFFFFFL).thenComparingLong(id -> id >>> 32));
        List<Row> rows = new ArrayList<>(ids.size());
        for (long id : ids) {
            rows.add(row(match, id, traceEnd));
        }
        return rows;
    }

    private static Row row(WakeMatch match, long id, long traceEnd) {
        List<WakeMatch.Slice> ss = match.slices(id);
        int n = ss.size();
        List<Span> out = new ArrayList<>(n * 3 + 2);
        long running = 0;
        WakeMatch.Slice prev = null;
        for (int i = 0; i <= n; i++) {
            long until = i < n ? ss.get(i).begin() : traceEnd;
            // The wake-up that made this slice (or, after the last one, the thread) runnable.
            WakeMatch.Wake w = i < n ? match.cause(ss.get(i).lane(), ss.get(i).event()) : match.afterLast(id);
            if (prev == null) {
                if (w != null) {
                    // Before its first slice (or never ran): runnable since its spawn or wake-up.
                    long from = Math.min(w.at(), until);
                    add(out, new Span(RUNNABLE, from, until, -1, -1, cause(w), w.by()));
                }
            } else {
                gap(out, prev, until, w);
            }
            if (i < n) {
                WakeMatch.Slice s = ss.get(i);
                // One carrier at a time: a slice whose end is stamped after the thread's next
                // slice began was stamped late (see the class comment) and ended by then.
                long end = i + 1 < n ? Math.min(s.end(), ss.get(i + 1).begin()) : s.end();
                add(out, new Span(RUNNING, s.begin(), end, s.lane(), s.event(), 0, 0));
                running += Math.max(0, end - s.begin());
                prev = s;
            }
        }
        return new Row(id, running, out);
    }

    private static int cause(WakeMatch.Wake w) {
        if (w.type() == TraceEvent.WAKE_FROM) {
            return w.spawn() ? CAUSE_SPAWN_FROM : CAUSE_WAKE_FROM;
        }
        return w.spawn() ? CAUSE_SPAWN : CAUSE_WAKE;
    }

    /** The spans between slice {@code prev} and {@code until} (the next slice's begin, or the trace's end). */
    private static void gap(List<Span> out, WakeMatch.Slice prev, long until, WakeMatch.Wake wake) {
        long end = prev.end();
        if (until <= end) {
            return;
        }
        switch (prev.ended()) {
            case TraceEvent.ENDED_YIELD -> add(out, new Span(RUNNABLE, end, until, -1, -1, CAUSE_YIELD, 0));
            case TraceEvent.ENDED_PREEMPT -> add(out, new Span(RUNNABLE, end, until, -1, -1, CAUSE_PREEMPT, 0));
            case TraceEvent.ENDED_PARK -> {
                long runnable = wake == null ? until : Math.min(until, Math.max(end, wake.at()));
                add(out, new Span(WAITING, end, runnable, prev.lane(), prev.event(), 0, 0));
                if (wake != null) {
                    add(out, new Span(RUNNABLE, runnable, until, -1, -1, cause(wake), wake.by()));
                }
            }
            default -> {
                // exit, foreign work: nothing after
            }
        }
    }

    private static void add(List<Span> out, Span s) {
        if (s.end() > s.begin()) {
            out.add(s);
        }
    }

    /**
     * What made a runnable span runnable, as the exports say it.
     *
     * @param d a trace
     * @param s a RUNNABLE span
     * @return e.g. "woken by ping &lt;1.3.0&gt;", "spawned by main &lt;1.0.0&gt;", "woken by timer", "yielded"
     */
    static String cause(TraceData d, Span s) {
        return switch (s.cause()) {
            case CAUSE_WAKE -> "woken by " + d.label(s.by());
            case CAUSE_SPAWN -> "spawned by " + d.label(s.by());
            case CAUSE_WAKE_FROM -> "woken by " + TraceEvent.sourceName((int) s.by());
            case CAUSE_SPAWN_FROM -> "spawned from " + TraceEvent.sourceName((int) s.by());
            case CAUSE_YIELD -> "yielded";
            case CAUSE_PREEMPT -> "preempted";
            default -> "";
        };
    }

    /**
     * The rows of the threads that ran longest, longest first.
     *
     * @param rows all rows
     * @param max  how many at most
     * @return the busiest {@code max} rows (all if fewer)
     */
    static List<Row> busiest(List<Row> rows, int max) {
        List<Row> sorted = new ArrayList<>(rows);
        sorted.sort(Comparator.comparingLong(Row::running).reversed());
        return sorted.size() > max ? sorted.subList(0, max) : sorted;
    }
}
