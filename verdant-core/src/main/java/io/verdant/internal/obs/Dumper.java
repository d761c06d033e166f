package io.verdant.internal.obs;

import io.verdant.DumpOptions;
import io.verdant.GreenThreadInfo;
import io.verdant.Pid;
import io.verdant.RuntimeMetrics;
import io.verdant.internal.GreenThread;
import io.verdant.internal.RuntimeCore;
import io.verdant.internal.timer.Clock;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Writes a green-thread dump of one runtime, as text or JSON.
 *
 * <pre>
 * Layout (text)
 *   header: runtime, carriers, live threads, polls, stalls
 *   each supervisor tree (supervisors not supervised by another), children in
 *     start order, nested supervisors recursively
 *   "not supervised, by parent:" every other thread under its spawner (a thread
 *     whose parent ended or is supervised is a root here); siblings with the same
 *     name, state, wait reason and (with stacks) stack are collapsed into one
 *     line "N x ..."
 *   deadlocks: cycles in the wait-for graph (a mutex waiter -> the holder, a
 *     joiner -> the joined thread, a caller waiting for its reply -> the callee,
 *     a sender into a full BLOCK mailbox -> its owner: GreenThreadInfo.waitingFor,
 *     WaitReasons.waitingFor), joins and mutex waits being the graph
 *     deterministic mode also checks;
 *     a cycle is reported only if its threads, read again after the walk, still
 *     wait as the walk saw them (stillWaiting: the walk is no atomic snapshot)
 * JSON
 *   {"verdantDump": {runtime, processId, time, threads: [...], supervisors: [...],
 *   deadlocks: [[pid, ...], ...]}}; each thread has the JDK thread dump's field
 *   names (tid as a string, name, state, parkBlocker.object, stack) plus
 *   Verdant's (pid, priority, parent, supervisor, childName, mailbox, waitReason,
 *   waitingFor, timeWaitingMillis, runTimeMillis, dispatches).
 * </pre>
 * Any thread; stops nothing: built from one {@link Snapshots} walk, plus one
 * stack walk per thread when asked (a JVM handshake each, microseconds).
 */
public final class Dumper {
    private final RuntimeCore rt;
    private final DumpOptions options;
    private final Map<Pid, GreenThreadInfo> infos = new LinkedHashMap<>();
    private final Map<Pid, GreenThread<?>> threads = new HashMap<>();
    private final Map<Pid, SupervisorView> supervisors = new LinkedHashMap<>();
    private final Map<Pid, List<String>> stacks = new HashMap<>();
    private final Appendable out;

    private Dumper(RuntimeCore rt, DumpOptions options, Appendable out) {
        this.rt = rt;
        this.options = options;
        this.out = out;
    }

    /**
     * Any thread: writes the dump of {@code rt} to {@code out}.
     *
     * @throws UncheckedIOException if {@code out} throws
     */
    public static void dump(RuntimeCore rt, Appendable out, DumpOptions options) {
        Dumper d = new Dumper(rt, options, out);
        d.collect();
        try {
            if (options.isJson()) {
                d.json();
            } else {
                d.text();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Whether the caller runs inside {@code rt}, a deterministic runtime (a green thread of it, or
     * a virtual thread on its carrier). From outside, no stack is walked: the JDK submits a thread
     * whose stack it walked unmounted once more, from the walking thread, and a deterministic
     * runtime fails the run on a wake-up from outside (or, had the carrier tried to run the thread
     * meanwhile, takes a step a replay would not).
     */
    private boolean insideDeterministic() {
        io.verdant.internal.GreenThread<?> g = io.verdant.internal.GreenThread.current();
        return (g != null && g.runtime() == rt) || rt.det.callerOnCarrier();
    }

    private void collect() {
        long now = Clock.SYSTEM.nanoTime(); // the clock of lastRanAt (Ticker.coarseNanos)
        Map<Pid, Snapshots.Supervised> sup = Snapshots.supervised(rt);
        rt.supervisors.forEach((g, view) -> supervisors.put(g.pid(), view));
        int stacked = 0;
        boolean walk = options.hasStacks() && (rt.det == null || insideDeterministic());
        for (GreenThread<?> g : rt.threads()) {
            GreenThreadInfo i = Snapshots.info(g, sup, now);
            if (i == null) {
                continue;
            }
            infos.put(i.pid(), i);
            threads.put(i.pid(), g);
            if (walk && stacked < options.maxStacks() && g.vthread() != null) {
                stacked++;
                List<String> frames = new ArrayList<>();
                for (StackTraceElement e : g.vthread().getStackTrace()) {
                    frames.add(e.toString());
                }
                stacks.put(i.pid(), frames);
            }
        }
    }

    // ------------------------------------------------------------------ deadlocks

    /** Cycles in the wait-for graph, each listed once, starting at its smallest pid in table order. */
    List<List<Pid>> deadlocks() {
        List<List<Pid>> cycles = new ArrayList<>();
        Set<Pid> done = new HashSet<>();
        for (Pid start : infos.keySet()) {
            if (done.contains(start)) {
                continue;
            }
            List<Pid> path = new ArrayList<>();
            Set<Pid> onPath = new HashSet<>();
            Pid p = start;
            while (p != null && !done.contains(p) && !onPath.contains(p)) {
                path.add(p);
                onPath.add(p);
                GreenThreadInfo i = infos.get(p);
                p = i == null ? null : i.waitingFor();
            }
            if (p != null && onPath.contains(p)) {
                List<Pid> cycle = List.copyOf(path.subList(path.indexOf(p), path.size()));
                if (stillWaiting(cycle)) {
                    cycles.add(cycle);
                }
            }
            done.addAll(path);
        }
        return cycles;
    }

    /**
     * Whether every thread of {@code cycle}, read again now that the first walk has
     * read them all, still waits for the same thread and has run no slice since
     * (same dispatch count). The walk reads one thread after another while they run
     * on, so two threads taking turns at a mutex can each be read waiting for the
     * other at different moments (DumpDeadlockRaceTest). A thread that passes was
     * parked from its first read to its second; the second reads all come after the
     * first ones, so at the moment the first walk ended every thread of the cycle was
     * waiting for the next. A real deadlock does not move, so it passes, unless a
     * thread's last slice before its park was counted only between the two reads
     * (microseconds after the park: a later dump reports it).
     */
    private boolean stillWaiting(List<Pid> cycle) {
        long now = Clock.SYSTEM.nanoTime();
        for (Pid p : cycle) {
            GreenThreadInfo before = infos.get(p);
            GreenThreadInfo again = Snapshots.info(threads.get(p), Map.of(), now);
            if (again == null || again.state() != before.state() || !Objects.equals(again.waitingFor(), before.waitingFor())
                    || again.dispatches() != before.dispatches()) {
                return false;
            }
        }
        return true;
    }

    // ------------------------------------------------------------------ text

    private void text() throws IOException {
        RuntimeMetrics m = Metrics.of(rt);
        out.append("Verdant runtime '").append(rt.name).append("' (id ").append(String.valueOf(rt.id)).append("): ")
                .append(String.valueOf(m.workers().size() - m.sparesAlive())).append(" carriers, ")
                .append(String.valueOf(m.sparesAlive())).append(" spares, ").append(String.valueOf(infos.size()))
                .append(" live green threads, ").append(String.valueOf(m.polls())).append(" polls, ")
                .append(String.valueOf(m.stalls())).append(" stalls\n");
        Set<Pid> printed = new HashSet<>();
        Set<Pid> supervisedChildren = new HashSet<>();
        supervisors.values().forEach(v -> v.children().forEach(c -> supervisedChildren.add(c.pid())));
        for (Map.Entry<Pid, SupervisorView> e : supervisors.entrySet()) {
            if (!supervisedChildren.contains(e.getKey())) {
                supervisorTree(e.getKey(), e.getValue(), "", "", printed);
            }
        }
        // Everything else, by parent.
        Map<Pid, List<GreenThreadInfo>> byParent = new LinkedHashMap<>();
        List<GreenThreadInfo> roots = new ArrayList<>();
        for (GreenThreadInfo i : infos.values()) {
            if (printed.contains(i.pid())) {
                continue;
            }
            Pid parent = i.parent();
            if (parent != null && infos.containsKey(parent) && !printed.contains(parent)) {
                byParent.computeIfAbsent(parent, k -> new ArrayList<>()).add(i);
            } else {
                roots.add(i);
            }
        }
        if (!roots.isEmpty()) {
            out.append("not supervised, by parent:\n");
            siblings(roots, byParent, "");
        }
        List<List<Pid>> cycles = deadlocks();
        for (List<Pid> cycle : cycles) {
            out.append("DEADLOCK: ");
            for (Pid p : cycle) {
                GreenThreadInfo i = infos.get(p);
                out.append(label(i)).append(" waits for ");
            }
            out.append(label(infos.get(cycle.get(0)))).append('\n');
            for (Pid p : cycle) {
                out.append("  ").append(label(infos.get(p))).append(": ").append(infos.get(p).waitReason()).append('\n');
            }
        }
    }

    private void supervisorTree(Pid pid, SupervisorView view, String indent, String branch, Set<Pid> printed)
            throws IOException {
        printed.add(pid);
        GreenThreadInfo self = infos.get(pid);
        out.append(indent).append(branch).append("supervisor '").append(view.name()).append("' ").append(pid.toString())
                .append(' ').append(view.strategy()).append(", ").append(String.valueOf(view.restarts()))
                .append(" restarts (limit ").append(String.valueOf(view.maxRestarts())).append(")");
        if (self != null) {
            out.append("  ").append(self.state().name());
        }
        out.append('\n');
        String childIndent = indent + (branch.isEmpty() ? "" : branch.startsWith("└") ? "    " : "│   ");
        List<SupervisorView.ChildRef> children = view.children();
        for (int k = 0; k < children.size(); k++) {
            SupervisorView.ChildRef c = children.get(k);
            String b = k == children.size() - 1 ? "└── " : "├── ";
            SupervisorView nested = supervisors.get(c.pid());
            if (nested != null) {
                supervisorTree(c.pid(), nested, childIndent, b, printed);
            } else {
                GreenThreadInfo i = infos.get(c.pid());
                printed.add(c.pid());
                out.append(childIndent).append(b).append(i == null ? "'" + c.name() + "' " + c.pid() + " (ended)"
                        : line(i)).append('\n');
                if (i != null) {
                    stack(i.pid(), childIndent + (k == children.size() - 1 ? "    " : "│   "));
                }
            }
        }
    }

    private void siblings(List<GreenThreadInfo> list, Map<Pid, List<GreenThreadInfo>> byParent, String indent)
            throws IOException {
        // Collapse siblings without children of their own that look the same.
        Map<String, List<GreenThreadInfo>> groups = new LinkedHashMap<>();
        for (GreenThreadInfo i : list) {
            String key = byParent.containsKey(i.pid()) ? "#" + i.pid() : i.name() + '\u0000' + i.state() + '\u0000'
                    + i.waitReason() + '\u0000' + stacks.getOrDefault(i.pid(), List.of());
            groups.computeIfAbsent(key, k -> new ArrayList<>()).add(i);
        }
        for (List<GreenThreadInfo> g : groups.values()) {
            GreenThreadInfo first = g.get(0);
            if (g.size() > 1) {
                out.append(indent).append(String.valueOf(g.size())).append(" x '").append(first.name()).append("' ")
                        .append(first.state().name());
                if (!first.waitReason().isEmpty()) {
                    out.append("  ").append(first.waitReason());
                }
                out.append(stacks.containsKey(first.pid()) ? ", same stack" : "").append(", e.g. ")
                        .append(first.pid().toString()).append('\n');
            } else {
                out.append(indent).append(line(first)).append('\n');
            }
            stack(first.pid(), indent + "    ");
            List<GreenThreadInfo> kids = byParent.get(first.pid());
            if (kids != null && g.size() == 1) {
                siblings(kids, byParent, indent + "    ");
            }
        }
    }

    private void stack(Pid pid, String indent) throws IOException {
        List<String> frames = stacks.get(pid);
        if (frames != null) {
            for (String f : frames) {
                out.append(indent).append("  at ").append(f).append('\n');
            }
        }
    }

    private static String label(GreenThreadInfo i) {
        return i.name().isEmpty() ? i.pid().toString() : "'" + i.name() + "' " + i.pid();
    }

    private static String line(GreenThreadInfo i) {
        StringBuilder sb = new StringBuilder(label(i)).append(' ').append(i.state().name());
        if (i.carrier() != null) {
            sb.append(" on ").append(i.carrier());
        }
        if (!i.timeWaiting().isZero()) {
            sb.append(' ').append(i.timeWaiting().toMillis()).append(" ms");
        }
        if (!i.waitReason().isEmpty()) {
            sb.append("  ").append(i.waitReason());
        }
        sb.append("  ").append(i.priority().name()).append("  run ").append(i.runTime().toMillis()).append(" ms in ")
                .append(i.dispatches()).append(i.dispatches() == 1 ? " slice" : " slices");
        if (i.mailboxDepth() > 0) {
            sb.append("  mailbox ").append(i.mailboxDepth() >= GreenThreadInfo.MAILBOX_CAP ? ">=" : "")
                    .append(i.mailboxDepth());
        }
        return sb.toString();
    }

    // ------------------------------------------------------------------ JSON

    private void json() throws IOException {
        out.append("{\n  \"verdantDump\": {\n");
        field("runtime", rt.name, "    ", true);
        out.append("    \"processId\": \"").append(String.valueOf(ProcessHandle.current().pid())).append("\",\n");
        field("time", java.time.Instant.now().toString(), "    ", true);
        out.append("    \"threads\": [");
        boolean firstThread = true;
        for (GreenThreadInfo i : infos.values()) {
            out.append(firstThread ? "\n" : ",\n");
            firstThread = false;
            out.append("      {\n");
            String in = "        ";
            field("tid", String.valueOf(i.jdkThreadId()), in, true);
            field("name", i.name(), in, true);
            Thread vt = threads.get(i.pid()).vthread();
            // An event actor has no thread: its GreenState stands in for a Thread.State.
            field("state", vt == null ? i.state().name() : vt.getState().name(), in, true);
            if (!i.waitReason().isEmpty()) {
                out.append(in).append("\"parkBlocker\": {\"object\": ").append(quote(i.waitReason())).append("},\n");
            }
            List<String> frames = stacks.get(i.pid());
            if (frames != null) {
                out.append(in).append("\"stack\": [");
                for (int k = 0; k < frames.size(); k++) {
                    out.append(k == 0 ? "" : ", ").append(quote(frames.get(k)));
                }
                out.append("],\n");
            }
            field("pid", i.pid().toString(), in, true);
            field("verdantState", i.state().name(), in, true);
            field("priority", i.priority().name(), in, true);
            field("parent", i.parent() == null ? null : i.parent().toString(), in, true);
            field("supervisor", i.supervisor() == null ? null : i.supervisor().toString(), in, true);
            field("childName", i.childName(), in, true);
            out.append(in).append("\"mailbox\": ").append(String.valueOf(i.mailboxDepth())).append(",\n");
            field("waitReason", i.waitReason(), in, true);
            field("waitingFor", i.waitingFor() == null ? null : i.waitingFor().toString(), in, true);
            out.append(in).append("\"timeWaitingMillis\": ").append(String.valueOf(i.timeWaiting().toMillis()))
                    .append(",\n");
            out.append(in).append("\"runTimeMillis\": ").append(String.valueOf(i.runTime().toMillis())).append(",\n");
            out.append(in).append("\"dispatches\": ").append(String.valueOf(i.dispatches())).append('\n');
            out.append("      }");
        }
        out.append("\n    ],\n    \"supervisors\": [");
        boolean firstSup = true;
        for (Map.Entry<Pid, SupervisorView> e : supervisors.entrySet()) {
            SupervisorView v = e.getValue();
            out.append(firstSup ? "\n" : ",\n");
            firstSup = false;
            out.append("      {\"pid\": ").append(quote(e.getKey().toString())).append(", \"name\": ")
                    .append(quote(v.name())).append(", \"strategy\": ").append(quote(v.strategy()))
                    .append(", \"restarts\": ").append(String.valueOf(v.restarts())).append(", \"children\": [");
            List<SupervisorView.ChildRef> cs = v.children();
            for (int k = 0; k < cs.size(); k++) {
                out.append(k == 0 ? "" : ", ").append("{\"name\": ").append(quote(cs.get(k).name()))
                        .append(", \"pid\": ").append(quote(cs.get(k).pid().toString())).append('}');
            }
            out.append("]}");
        }
        out.append("\n    ],\n    \"deadlocks\": [");
        List<List<Pid>> cycles = deadlocks();
        for (int k = 0; k < cycles.size(); k++) {
            out.append(k == 0 ? "" : ", ").append('[');
            List<Pid> c = cycles.get(k);
            for (int j = 0; j < c.size(); j++) {
                out.append(j == 0 ? "" : ", ").append(quote(c.get(j).toString()));
            }
            out.append(']');
        }
        out.append("]\n  }\n}\n");
    }

    private void field(String name, String value, String indent, boolean comma) throws IOException {
        out.append(indent).append('"').append(name).append("\": ").append(value == null ? "null" : quote(value))
                .append(comma ? ",\n" : "\n");
    }

    /**
     * A JSON string literal. A surrogate that is not half of a pair (a name cut in
     * the middle of one) is written as an escape: no UTF-8 text can carry it raw.
     */
    static String quote(String s) {
        StringBuilder sb = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else if (Character.isHighSurrogate(c) && i + 1 < s.length()
                            && Character.isLowSurrogate(s.charAt(i + 1))) {
                        sb.append(c).append(s.charAt(++i));
                    } else if (Character.isSurrogate(c)) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.append('"').toString();
    }
}
