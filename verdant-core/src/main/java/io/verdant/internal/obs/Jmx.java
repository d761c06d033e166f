package io.verdant.internal.obs;

import io.verdant.DumpOptions;
import io.verdant.GreenThreadInfo;
import io.verdant.RuntimeMetrics;
import io.verdant.RuntimeSnapshot;
import io.verdant.VerdantRuntimeMXBean;
import io.verdant.WorkerMetrics;
import io.verdant.internal.RuntimeCore;

import java.lang.management.ManagementFactory;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.ToLongFunction;
import javax.management.JMException;
import javax.management.ObjectName;

/**
 * The runtime's MXBean (opt-in, {@code Config.jmx}): registered in the platform
 * MBean server at start, unregistered at close; nothing is registered without
 * the opt-in. The name is the runtime's: of two open runtimes with one name, the
 * first to start holds the bean, the second has none, and only the runtime that
 * registered the bean unregisters it (RuntimeCore.jmxRegistered), as the last
 * step of its close before it is marked CLOSED, so a runtime of that name started by
 * one who saw it closed gets the bean (JmxCloseRaceTest). Every attribute read is {@link Metrics#of} anew (cheap: no lock but the
 * spare lock, one record per carrier). The trace operations hold at most one
 * trace (field trace, guarded by this bean's monitor, which JMX clients reach
 * from their connection threads); writing a file happens outside the monitor.
 * recordTrace holds no field and no monitor: its own session stops itself at
 * its deadline (TraceOptions.maxDuration, the session's collector), while the
 * JMX caller's thread waits for that (TraceSession.awaitStop) and then writes.
 */
public final class Jmx implements VerdantRuntimeMXBean {
    private final RuntimeCore rt;
    /** The trace started through JMX and not yet stopped, or null; guarded by this. */
    private TraceSession trace;

    private Jmx(RuntimeCore rt) {
        this.rt = rt;
    }

    /** The name the runtime's MXBean is registered under. */
    public static String objectName(String runtimeName) {
        return "io.verdant:type=Runtime,name=" + ObjectName.quote(runtimeName);
    }

    /**
     * Registers {@code rt}'s MXBean; returns false (and logs nothing) if a bean of
     * that name is already registered (two runtimes with one name).
     */
    public static boolean register(RuntimeCore rt) {
        try {
            ManagementFactory.getPlatformMBeanServer().registerMBean(new Jmx(rt), new ObjectName(objectName(rt.name)));
            return true;
        } catch (javax.management.InstanceAlreadyExistsException e) {
            return false;
        } catch (JMException e) {
            throw new IllegalStateException("cannot register the MXBean of runtime '" + rt.name + "'", e);
        }
    }

    /**
     * Unregisters the MXBean of {@code rt}'s name if registered. Call it only for a
     * runtime whose {@link #register} returned true: the bean of a name another
     * runtime registered first is that runtime's, and stays until it closes.
     */
    public static void unregister(RuntimeCore rt) {
        try {
            ObjectName n = new ObjectName(objectName(rt.name));
            var server = ManagementFactory.getPlatformMBeanServer();
            if (server.isRegistered(n)) {
                server.unregisterMBean(n);
            }
        } catch (JMException e) {
            // Unregistered concurrently: nothing left to do.
        }
    }

    private RuntimeMetrics m() {
        return Metrics.of(rt);
    }

    @Override
    public String getName() {
        return rt.name;
    }

    @Override
    public long getSpawned() {
        return m().spawned();
    }

    @Override
    public long getExited() {
        return m().exited();
    }

    @Override
    public long getLiveThreads() {
        return rt.liveThreads();
    }

    @Override
    public long getPolls() {
        return m().polls();
    }

    @Override
    public long getSteals() {
        return m().steals();
    }

    @Override
    public long getParks() {
        return m().parks();
    }

    @Override
    public long getWaits() {
        return m().waits();
    }

    @Override
    public long getPreemptionsRequested() {
        return m().preemptionsRequested();
    }

    @Override
    public long getPreemptionsHonored() {
        return m().preemptionsHonored();
    }

    @Override
    public long getStalls() {
        return m().stalls();
    }

    @Override
    public int getSparesAlive() {
        return m().sparesAlive();
    }

    @Override
    public int getCarriers() {
        return rt.scheduler == null ? 1 : rt.scheduler.carriers().length; // null: deterministic, one carrier
    }

    @Override
    public long getDeadLetters() {
        return rt.deadLetterCount();
    }

    @Override
    public long getSupervisorRestarts() {
        return rt.supervisorRestarts.get();
    }

    @Override
    public int getInjectionQueueDepth() {
        return rt.scheduler == null ? 0 : rt.scheduler.injectedDepth(); // null: deterministic runtime
    }

    @Override
    public int[] getLocalQueueDepths() {
        return m().workers().stream().mapToInt(WorkerMetrics::localQueueDepth).toArray();
    }

    @Override
    public String dump(boolean stacks) {
        StringBuilder sb = new StringBuilder();
        Dumper.dump(rt, sb, DumpOptions.text().stacks(stacks));
        return sb.toString();
    }

    /** The most threads {@link #top} and {@link #topWindow} list. */
    static final int MAX_TOP = 1_000;
    /** The longest {@link #topWindow}: a minute (the JMX client's call blocks for it). */
    static final int MAX_WINDOW_MILLIS = 60_000;

    @Override
    public String top(String by, int n) {
        ToLongFunction<GreenThreadInfo> key = topKey(by, true);
        checkTopCount(n);
        RuntimeSnapshot s = Snapshots.of(rt);
        return topTable("top " + n + " by " + by + " of runtime '" + rt.name + "' (" + s.threads().size()
                + " live)", s.top(key, n));
    }

    @Override
    public String topWindow(String by, int n, int millis) {
        ToLongFunction<GreenThreadInfo> key = topKey(by, false);
        checkTopCount(n);
        if (millis < 1 || millis > MAX_WINDOW_MILLIS) {
            throw new IllegalArgumentException("millis must be from 1 to " + MAX_WINDOW_MILLIS + ", was " + millis);
        }
        RuntimeSnapshot before = Snapshots.of(rt);
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("topWindow: interrupted during the window", e);
        }
        RuntimeSnapshot after = Snapshots.of(rt);
        return topTable("top " + n + " by " + by + " in " + millis + " ms of runtime '" + rt.name + "' ("
                + after.threads().size() + " live)", after.delta(before).top(key, n));
    }

    /** The ranking key named {@code by}; {@code anyKey} false allows only the growing ones (windows). */
    private static ToLongFunction<GreenThreadInfo> topKey(String by, boolean anyKey) {
        String k = by == null ? "" : by.toLowerCase(Locale.ROOT);
        switch (k) {
            case "runtime":
                return t -> t.runTime().toNanos();
            case "dispatches":
                return GreenThreadInfo::dispatches;
            case "mailbox":
                if (anyKey) {
                    return GreenThreadInfo::mailboxDepth;
                }
                break;
            case "waiting":
                if (anyKey) {
                    return t -> t.timeWaiting().toNanos();
                }
                break;
            default:
                break;
        }
        throw new IllegalArgumentException("by must be " + (anyKey ? "runTime, dispatches, mailbox or waiting"
                : "runTime or dispatches (what grows over a window)") + ", was " + by);
    }

    private static void checkTopCount(int n) {
        if (n < 1 || n > MAX_TOP) {
            throw new IllegalArgumentException("n must be from 1 to " + MAX_TOP + ", was " + n);
        }
    }

    private static String topTable(String header, List<GreenThreadInfo> threads) {
        StringBuilder sb = new StringBuilder(header).append('\n');
        for (GreenThreadInfo t : threads) {
            sb.append("  ").append(t.pid()).append(" '").append(t.name()).append("' ").append(t.state())
                    .append("  runTime ").append(t.runTime().toMillis()).append(" ms")
                    .append("  dispatches ").append(t.dispatches())
                    .append("  mailbox ").append(t.mailboxDepth())
                    .append("  waiting ").append(t.timeWaiting().toMillis()).append(" ms");
            if (!t.waitReason().isEmpty()) {
                sb.append("  ").append(t.waitReason());
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    @Override
    public String dumpJson() {
        StringBuilder sb = new StringBuilder();
        Dumper.dump(rt, sb, DumpOptions.json());
        return sb.toString();
    }

    @Override
    public synchronized boolean isTraceRecording() {
        return trace != null && trace.isRecording();
    }

    @Override
    public synchronized void startTrace() {
        if (trace != null && trace.isRecording()) {
            throw new IllegalStateException("startTrace: a trace started through JMX already records on runtime '"
                    + rt.name + "'; stop it with stopTrace(path) first");
        }
        if (rt.scheduler == null) {
            throw new IllegalStateException("startTrace: runtime '" + rt.name + "' is deterministic; it has no carriers to trace");
        }
        if (rt.isClosed()) {
            throw new IllegalStateException("startTrace: runtime '" + rt.name + "' is closed");
        }
        trace = TraceSession.start(rt);
    }

    @Override
    public String stopTrace(String path) {
        Path file = path(path);
        TraceSession t;
        synchronized (this) {
            t = trace;
            if (t == null) {
                throw new IllegalStateException("stopTrace: no trace started through JMX records on runtime '" + rt.name
                        + "'; call startTrace() first");
            }
            trace = null;
        }
        t.stop();
        return write(t, file);
    }

    /** The longest {@link #recordTrace}: an hour (a longer one would hold a JMX client's call that long). */
    static final int MAX_RECORD_SECONDS = 3600;

    @Override
    public String recordTrace(String path, int seconds) {
        Path file = path(path);
        if (seconds < 1 || seconds > MAX_RECORD_SECONDS) {
            throw new IllegalArgumentException("seconds must be from 1 to " + MAX_RECORD_SECONDS + ", was " + seconds);
        }
        if (rt.scheduler == null) {
            throw new IllegalStateException("recordTrace: runtime '" + rt.name + "' is deterministic; it has no carriers to trace");
        }
        if (rt.isClosed()) {
            throw new IllegalStateException("recordTrace: runtime '" + rt.name + "' is closed");
        }
        TraceSession t = TraceSession.start(rt, io.verdant.TraceOptions.defaults().maxDuration(Duration.ofSeconds(seconds)));
        try {
            // The collector stops it at the deadline (or when the runtime closes); the
            // slack covers a collector descheduled on a loaded machine.
            if (!t.awaitStop(TimeUnit.SECONDS.toNanos(seconds) + TimeUnit.SECONDS.toNanos(10))) {
                t.stop();
            }
        } catch (InterruptedException e) {
            t.stop();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("recordTrace: interrupted while recording; nothing written", e);
        }
        write(t, file);
        return file.toString();
    }

    @Override
    public String dumpFlightRecording(String path) {
        Path file = path(path);
        if (rt.scheduler == null || !rt.scheduler.traceControl().flightRecorder()) {
            throw new IllegalStateException("dumpFlightRecording: runtime '" + rt.name
                    + "' has no flight recorder: start it with Config.builder().flightRecorder(bytes)");
        }
        return write(TraceSession.flight(rt), file);
    }

    /** Validates a path argument of an operation. */
    private static Path path(String path) {
        Objects.requireNonNull(path, "path");
        if (path.isBlank()) {
            throw new IllegalArgumentException("path must not be empty");
        }
        try {
            return Path.of(path).toAbsolutePath();
        } catch (InvalidPathException e) {
            throw new IllegalArgumentException("path is not a valid path: " + e.getMessage(), e);
        }
    }

    /** Writes {@code t} as HTML (.html, .htm) or Chrome JSON (anything else). */
    private static String write(TraceSession t, Path file) {
        String n = file.getFileName() == null ? "" : file.getFileName().toString().toLowerCase(Locale.ROOT);
        boolean html = n.endsWith(".html") || n.endsWith(".htm");
        if (html) {
            t.writeHtml(file);
        } else {
            t.writeChromeJson(file);
        }
        return "wrote " + t.events() + " events (" + t.dropped() + " dropped) as " + (html ? "HTML" : "Chrome JSON")
                + " to " + file;
    }
}
