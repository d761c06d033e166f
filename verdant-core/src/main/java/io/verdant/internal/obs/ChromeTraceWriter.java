package io.verdant.internal.obs;

import io.verdant.Priority;
import java.io.IOException;
import java.util.List;

/**
 * Writes a {@link TraceData} as Chrome trace-event JSON (the "JSON Object
 * Format" that Perfetto and {@code chrome://tracing} open).
 *
 * <pre>
 * Verdant                  trace event
 * runtime                  pid = runtime id; "M" process_name "verdant 'name'"
 * carrier lane             tid = lane index; "M" thread_name carrier-i / spare-j
 * slice                    "X" name = thread label, cat "slice", ts/dur in microseconds
 *                          (fractional: nanosecond precision), args pid, priority,
 *                          found, ended, and for a slice that ended in a park
 *                          blocker: the wait reason of what it parked on
 *                          (WaitReasons, rendered now). Slices on one lane never
 *                          overlap: one carrier runs one task at a time.
 * idle period              "X" name "idle", cat "idle"
 * wake-up / spawn          flow "s" inside the waker's (parent's) slice, "f" with
 *                          bp "e" inside the woken (child's) slice it made runnable
 *                          (WakeMatch); cat "wake"/"spawn"
 * wake-up / spawn from off  "X" cat "source" (2 ns) on a source lane "timer" (the
 * the carriers             ticker fired a sleep or timeout), "io" (the JDK's poller:
 *                          a socket became ready) or "outside" (any other thread),
 *                          then a flow "s" in it and "f" (bp "e") in the woken
 *                          thread's slice it made runnable; cat "timer"/"io"/"outside"
 * steal                    "i" (s "t") on the thief's lane
 * preemption request/stall "i" (s "t") on the carrier's lane
 * spare start/retire       "i" (s "p")
 * queue depths             "C" counter "queue depth", one series per carrier and
 *                          "injected" (sampled by the ticker when they change)
 * mutex holder             a slice that parked on a Mutex has "holder": the pid of the
 *                          thread that held it at the park ("thread #id" for a
 *                          platform thread), recorded by the carrier as a number
 *
 * Green-thread view (GreenThreadView): a second process, pid GREEN_PID_OFFSET +
 * runtime id, "M" process_name "verdant 'name' green threads", sorted after the
 * carriers; one tid per green thread (1, 2, ... in pid order, "M" thread_name =
 * its label), with "X" events:
 *   cat "running"    name "running", args carrier, found, ended
 *   cat "runnable"   name "runnable", args cause ("woken by ...", "spawned by ...",
 *                    "yielded", "preempted")
 *   cat "waiting"    name "parked" or "parked on &lt;reason&gt;", args blocker, holder
 * </pre>
 *
 * Flows are matched after the fact (WakeMatch): a WAKE is followed, in its
 * lane, by the SLICE of its waker (events of one lane are in writing order);
 * its arrow ends at the woken thread's slice it made runnable. A wake-up whose
 * slices were dropped draws no arrow. A flow's end points sit in
 * the middle of their slice (inside()), never on its end: slices of one lane
 * touch, and a slice shown 1 ns long (an estimated end, SliceTimes) ends where
 * the next begins, so a point at begin + 1 would bind to the next slice.
 */
public final class ChromeTraceWriter {
    /** The green-thread view's process id is this plus the runtime id (the carriers' process id):
     * far above any runtime id, so the two processes never share an id. */
    public static final long GREEN_PID_OFFSET = 1_000_000;

    private ChromeTraceWriter() {
    }

    /**
     * Writes {@code d} to {@code out}.
     *
     * @param d   the trace
     * @param out where to write
     * @throws IOException if {@code out} throws
     */
    public static void write(TraceData d, Appendable out) throws IOException {
        long origin = d.startNanos();
        long pid = d.runtimeId();
        int tickerLane = d.tickerLane();
        int[] sourceTid = {0, tickerLane, d.outsideLane() + 1, d.outsideLane()};
        long[] sourceFree = new long[4]; // per source lane: where its last "X" ended (they must not overlap)
        boolean[] sourceUsed = new boolean[4];
        for (int lane = tickerLane; lane < d.lanes().length; lane++) {
            long[] ev = d.lanes()[lane];
            for (int k = 0; k < d.counts()[lane]; k++) {
                long h = ev[k * TraceRing.LONGS];
                if (TraceEvent.type(h) == TraceEvent.WAKE_FROM && TraceEvent.found(h) < 4) {
                    sourceUsed[TraceEvent.found(h)] = true;
                }
            }
        }
        WakeMatch match = WakeMatch.of(d);
        StringBuilder b = new StringBuilder(1 << 16);
        b.append("{\"displayTimeUnit\":\"ns\",\"otherData\":{\"runtime\":");
        str(b, d.runtimeName());
        b.append(",\"events\":").append(d.events()).append(",\"dropped\":").append(d.dropped())
                .append(",\"clockReadNanos\":").append(String.format(java.util.Locale.ROOT, "%.1f", d.clockNanos()))
                .append("},\"traceEvents\":[\n");
        b.append("{\"ph\":\"M\",\"pid\":").append(pid).append(",\"name\":\"process_name\",\"args\":{\"name\":");
        str(b, "verdant '" + d.runtimeName() + "'");
        b.append("}}");
        for (int lane = 0; lane < tickerLane; lane++) {
            if (lane < d.workers() || d.counts()[lane] > 0) {
                b.append(",\n{\"ph\":\"M\",\"pid\":").append(pid).append(",\"tid\":").append(lane)
                        .append(",\"name\":\"thread_name\",\"args\":{\"name\":");
                str(b, d.laneNames()[lane]);
                b.append("}},\n{\"ph\":\"M\",\"pid\":").append(pid).append(",\"tid\":").append(lane)
                        .append(",\"name\":\"thread_sort_index\",\"args\":{\"sort_index\":").append(lane).append("}}");
            }
        }
        for (int src = 1; src < 4; src++) {
            if (sourceUsed[src]) {
                b.append(",\n{\"ph\":\"M\",\"pid\":").append(pid).append(",\"tid\":").append(sourceTid[src])
                        .append(",\"name\":\"thread_name\",\"args\":{\"name\":\"").append(TraceEvent.sourceName(src))
                        .append("\"}},\n{\"ph\":\"M\",\"pid\":").append(pid).append(",\"tid\":").append(sourceTid[src])
                        .append(",\"name\":\"thread_sort_index\",\"args\":{\"sort_index\":").append(sourceTid[src])
                        .append("}}");
            }
        }
        long flowId = 0;
        for (int lane = 0; lane < d.lanes().length; lane++) {
            long[] ev = d.lanes()[lane];
            int n = d.counts()[lane];
            for (int k = 0; k < n; k++) {
                int j = k * TraceRing.LONGS;
                long h = ev[j];
                long a = ev[j + 1];
                long x = ev[j + 2];
                long y = ev[j + 3];
                switch (TraceEvent.type(h)) {
                    case TraceEvent.SLICE -> {
                        b.append(",\n{\"ph\":\"X\",\"cat\":\"slice\",\"pid\":").append(pid).append(",\"tid\":").append(lane)
                                .append(",\"ts\":");
                        us(b, a - origin);
                        b.append(",\"dur\":");
                        us(b, Math.max(0, x - a));
                        b.append(",\"name\":");
                        str(b, d.label(y));
                        b.append(",\"args\":{\"pid\":");
                        str(b, d.pidOf(y));
                        int p = TraceEvent.priority(h);
                        b.append(",\"priority\":\"").append(p < Priority.values().length ? Priority.values()[p].name() : "?")
                                .append("\",\"found\":\"").append(TraceEvent.foundName(TraceEvent.found(h)))
                                .append("\",\"ended\":\"").append(TraceEvent.endedName(TraceEvent.ended(h))).append('"');
                        String blocker = d.blocker(lane, k);
                        if (!blocker.isEmpty()) {
                            b.append(",\"blocker\":");
                            str(b, blocker);
                        }
                        long holder = d.holder(lane, k);
                        if (holder != 0) {
                            b.append(",\"holder\":");
                            str(b, d.holderPid(holder));
                        }
                        b.append("}}");
                    }
                    case TraceEvent.IDLE -> {
                        b.append(",\n{\"ph\":\"X\",\"cat\":\"idle\",\"name\":\"idle\",\"pid\":").append(pid)
                                .append(",\"tid\":").append(lane).append(",\"ts\":");
                        us(b, a - origin);
                        b.append(",\"dur\":");
                        us(b, Math.max(0, x - a));
                        b.append('}');
                    }
                    case TraceEvent.WAKE, TraceEvent.SPAWN -> {
                        WakeMatch.Wake wake = match.wake(lane, k);
                        WakeMatch.Slice target = match.target(lane, k);
                        if (wake == null || wake.waker() < 0 || target == null) {
                            break;
                        }
                        int w = wake.waker() * TraceRing.LONGS;
                        long wBegin = ev[w + 1];
                        long wEnd = ev[w + 2];
                        long tBegin = target.begin();
                        int tLane = target.lane();
                        String cat = TraceEvent.type(h) == TraceEvent.WAKE ? "wake" : "spawn";
                        flowId++;
                        b.append(",\n{\"ph\":\"s\",\"cat\":\"").append(cat).append("\",\"name\":\"").append(cat)
                                .append("\",\"id\":").append(flowId).append(",\"pid\":").append(pid).append(",\"tid\":")
                                .append(lane).append(",\"ts\":");
                        us(b, inside(wBegin, wEnd) - origin);
                        b.append("},\n{\"ph\":\"f\",\"bp\":\"e\",\"cat\":\"").append(cat).append("\",\"name\":\"")
                                .append(cat).append("\",\"id\":").append(flowId).append(",\"pid\":").append(pid)
                                .append(",\"tid\":").append(tLane).append(",\"ts\":");
                        us(b, inside(tBegin, target.end()) - origin);
                        b.append('}');
                    }
                    case TraceEvent.WAKE_FROM -> {
                        int src = TraceEvent.found(h);
                        if (src < 1 || src > 3) {
                            break;
                        }
                        WakeMatch.Slice target = match.target(lane, k);
                        if (target == null) {
                            break;
                        }
                        boolean spawn = TraceEvent.ended(h) == 1;
                        String source = TraceEvent.sourceName(src);
                        int tid = sourceTid[src];
                        long at = Math.max(a, sourceFree[src]);
                        sourceFree[src] = at + 2;
                        b.append(",\n{\"ph\":\"X\",\"cat\":\"source\",\"pid\":").append(pid).append(",\"tid\":")
                                .append(tid).append(",\"ts\":");
                        us(b, at - origin);
                        b.append(",\"dur\":0.002,\"name\":");
                        str(b, (spawn ? "spawn " : "wake ") + d.label(y));
                        b.append(",\"args\":{\"source\":\"").append(source).append('"');
                        if (x != 0) {
                            b.append(",\"thread\":\"#").append(x).append('"');
                        }
                        b.append("}}");
                        flowId++;
                        String name = spawn ? "spawn" : "wake";
                        b.append(",\n{\"ph\":\"s\",\"cat\":\"").append(source).append("\",\"name\":\"").append(name)
                                .append("\",\"id\":").append(flowId).append(",\"pid\":").append(pid).append(",\"tid\":")
                                .append(tid).append(",\"ts\":");
                        us(b, at + 1 - origin);
                        b.append("},\n{\"ph\":\"f\",\"bp\":\"e\",\"cat\":\"").append(source).append("\",\"name\":\"")
                                .append(name).append("\",\"id\":").append(flowId).append(",\"pid\":").append(pid)
                                .append(",\"tid\":").append(target.lane()).append(",\"ts\":");
                        us(b, inside(target.begin(), target.end()) - origin);
                        b.append('}');
                    }
                    case TraceEvent.QUEUE_DEPTH -> {
                        b.append(",\n{\"ph\":\"C\",\"name\":\"queue depth\",\"pid\":").append(pid).append(",\"ts\":");
                        us(b, a - origin);
                        b.append(",\"args\":{");
                        str(b, x < 0 ? "injected" : d.laneNames()[(int) x]);
                        b.append(':').append(y).append("}}");
                    }
                    case TraceEvent.STEAL -> {
                        instant(b, pid, lane, "t", "steal", a - origin);
                        b.append(",\"args\":{\"victim\":");
                        str(b, d.laneNames()[(int) x]);
                        b.append(",\"pid\":");
                        str(b, d.pidOf(y));
                        b.append("}}");
                    }
                    case TraceEvent.PREEMPT, TraceEvent.STALL -> {
                        instant(b, pid, (int) x, "t",
                                TraceEvent.type(h) == TraceEvent.PREEMPT ? "preempt request" : "stall", a - origin);
                        b.append(",\"args\":{\"pid\":");
                        str(b, d.label(y));
                        b.append("}}");
                    }
                    case TraceEvent.SPARE_START, TraceEvent.SPARE_RETIRE -> {
                        boolean startEv = TraceEvent.type(h) == TraceEvent.SPARE_START;
                        instant(b, pid, (int) x, "p", startEv ? "spare start" : "spare retire", a - origin);
                        b.append(",\"args\":{\"spare\":");
                        str(b, d.laneNames()[(int) x]);
                        if (startEv) {
                            b.append(",\"stalled\":");
                            str(b, d.laneNames()[(int) y]);
                        }
                        b.append("}}");
                    }
                    default -> {
                        // Unknown type: not exported.
                    }
                }
                if (b.length() > (1 << 16)) {
                    out.append(b);
                    b.setLength(0);
                }
            }
        }
        greenThreads(d, b, out);
        b.append("\n]}\n");
        out.append(b);
    }

    /** The green-thread view: a second process with one track per green thread (class comment). */
    private static void greenThreads(TraceData d, StringBuilder b, Appendable out) throws IOException {
        List<GreenThreadView.Row> rows = GreenThreadView.of(d);
        if (rows.isEmpty()) {
            return;
        }
        long origin = d.startNanos();
        long gpid = GREEN_PID_OFFSET + d.runtimeId();
        b.append(",\n{\"ph\":\"M\",\"pid\":").append(gpid).append(",\"name\":\"process_name\",\"args\":{\"name\":");
        str(b, "verdant '" + d.runtimeName() + "' green threads");
        b.append("}},\n{\"ph\":\"M\",\"pid\":").append(gpid)
                .append(",\"name\":\"process_sort_index\",\"args\":{\"sort_index\":1}}");
        int tid = 0;
        for (GreenThreadView.Row row : rows) {
            tid++;
            b.append(",\n{\"ph\":\"M\",\"pid\":").append(gpid).append(",\"tid\":").append(tid)
                    .append(",\"name\":\"thread_name\",\"args\":{\"name\":");
            str(b, d.label(row.id()));
            b.append("}},\n{\"ph\":\"M\",\"pid\":").append(gpid).append(",\"tid\":").append(tid)
                    .append(",\"name\":\"thread_sort_index\",\"args\":{\"sort_index\":").append(tid).append("}}");
            for (GreenThreadView.Span s : row.spans()) {
                b.append(",\n{\"ph\":\"X\",\"pid\":").append(gpid).append(",\"tid\":").append(tid).append(",\"ts\":");
                us(b, s.begin() - origin);
                b.append(",\"dur\":");
                us(b, s.end() - s.begin());
                switch (s.state()) {
                    case GreenThreadView.RUNNING -> {
                        int j = s.event() * TraceRing.LONGS;
                        long h = d.lanes()[s.lane()][j];
                        b.append(",\"cat\":\"running\",\"name\":\"running\",\"args\":{\"carrier\":");
                        str(b, d.laneNames()[s.lane()]);
                        b.append(",\"found\":\"").append(TraceEvent.foundName(TraceEvent.found(h)))
                                .append("\",\"ended\":\"").append(TraceEvent.endedName(TraceEvent.ended(h))).append("\"}}");
                    }
                    case GreenThreadView.RUNNABLE -> {
                        b.append(",\"cat\":\"runnable\",\"name\":\"runnable\",\"args\":{\"cause\":");
                        str(b, GreenThreadView.cause(d, s));
                        b.append("}}");
                    }
                    default -> {
                        String blocker = d.blocker(s.lane(), s.event());
                        long holder = d.holder(s.lane(), s.event());
                        b.append(",\"cat\":\"waiting\",\"name\":");
                        String reason = d.parkReason(s.lane(), s.event());
                        str(b, reason.isEmpty() ? "parked" : "parked on " + reason);
                        b.append(",\"args\":{");
                        if (!blocker.isEmpty()) {
                            b.append("\"blocker\":");
                            str(b, blocker);
                        }
                        if (holder != 0) {
                            b.append(blocker.isEmpty() ? "" : ",").append("\"holder\":");
                            str(b, d.holderPid(holder));
                        }
                        b.append("}}");
                    }
                }
                if (b.length() > (1 << 16)) {
                    out.append(b);
                    b.setLength(0);
                }
            }
        }
    }

    private static void instant(StringBuilder b, long pid, int tid, String scope, String name, long ts) {
        b.append(",\n{\"ph\":\"i\",\"s\":\"").append(scope).append("\",\"name\":\"").append(name)
                .append("\",\"pid\":").append(pid).append(",\"tid\":").append(tid).append(",\"ts\":");
        us(b, ts);
    }

    /** A time inside the slice {@code [begin, end)} to bind a flow end to: its middle (its begin if it is 1 ns long). */
    static long inside(long begin, long end) {
        return begin + Math.max(0, end - begin) / 2;
    }

    /** Nanoseconds as microseconds with three decimals (exact). */
    static void us(StringBuilder b, long ns) {
        if (ns < 0) {
            b.append('-');
            ns = -ns;
        }
        b.append(ns / 1000).append('.');
        long r = ns % 1000;
        if (r < 100) {
            b.append('0');
        }
        if (r < 10) {
            b.append('0');
        }
        b.append(r);
    }

    /** A JSON string literal (half a surrogate pair becomes U+FFFD: TraceHtml.appendCodePoint). */
    static void str(StringBuilder b, String s) {
        b.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20 || c == 0x2028 || c == 0x2029) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else if (Character.isSurrogate(c)) {
                        i = TraceHtml.appendCodePoint(b, s, i);
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        b.append('"');
    }
}
