package io.verdant.bench.net;

import io.verdant.Config;
import io.verdant.Verdant;
import io.verdant.examples.net.EchoServer;
import io.verdant.examples.net.HttpServer;
import io.verdant.examples.net.SocketServer;
import io.verdant.examples.net.ThreadStarter;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A benchmark server in its own JVM:
 * {@code ServerMain <http|echo> <verdant|verdant-jfr|verdant-flight|vt-default|vt-default-jfr|platform> <workers>}.
 * Runs the example server code unchanged on the chosen thread system, prints
 * {@code port <n>}, and serves until its standard input ends (or says {@code stop}).
 */
public final class ServerMain {
    private ServerMain() {
    }

    public static void main(String[] args) throws Exception {
        String kind = args[0];
        String system = args[1];
        int workers = Integer.parseInt(args[2]);
        Verdant rt = null;
        ExecutorService pool = null;
        ThreadStarter threads = switch (system) {
            case "verdant", "verdant-jfr", "verdant-flight" -> {
                // verdant-jfr: the same server; ForkedServer starts its JVM recording JFR.
                Config.Builder b = Config.builder().workers(workers).name("bench");
                if (system.equals("verdant-flight")) {
                    b.flightRecorder(4L << 20); // the trace flight recorder: 4 MiB per carrier
                }
                rt = Verdant.start(b.build());
                yield ThreadStarter.green(rt);
            }
            // vt-default-jfr: the same server; ForkedServer starts its JVM recording JFR.
            case "vt-default", "vt-default-jfr" -> ThreadStarter.virtual();
            case "platform" -> {
                pool = Executors.newCachedThreadPool();
                yield ThreadStarter.pool(pool);
            }
            default -> throw new IllegalArgumentException("system must be verdant, verdant-jfr, verdant-flight, vt-default, vt-default-jfr or platform: " + system);
        };
        InetSocketAddress any = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        SocketServer server = switch (kind) {
            case "http" -> new HttpServer(threads, any, Duration.ofSeconds(60), Duration.ofSeconds(30), Duration.ofSeconds(1));
            case "echo" -> new EchoServer(threads, any, Duration.ofMinutes(5));
            default -> throw new IllegalArgumentException("kind must be http or echo: " + kind);
        };
        System.out.println("port " + server.port());
        System.out.flush();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in));
        for (String line; (line = in.readLine()) != null && !line.equals("stop"); ) {
            if (line.equals("counts")) {
                printCounts(rt);
            }
        }
        server.close();
        if (rt != null) {
            rt.close();
        }
        if (pool != null) {
            pool.shutdownNow();
        }
        System.exit(0);
    }

    /**
     * Answers the line {@code counts}: one line, for counts per request between two
     * such lines. Every system: the bytes allocated so far by all the JVM's threads
     * ({@code alloc_bytes}; a virtual thread's allocations are its carrier's).
     * Verdant servers also: the carriers' scheduler counters summed (dispatches,
     * carrier parks, wake-ups issued, searches, steal probes, steals, spin phases,
     * spin passes, injected tasks, sub-poller runs, sub-poller tasks handed to the
     * JDK's scheduler after waiting past the stall threshold unclaimed, of which the
     * runtime's own carrier may still have run some: Scheduler.pollerRescues) and the ticker's counts (Sysmon
     * passes, backed-off sleeps, returns to one tick, passes that found a carrier held).
     */
    private static void printCounts(Verdant rt) throws ReflectiveOperationException {
        long alloc = ((com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean())
                .getTotalThreadAllocatedBytes();
        if (rt == null) {
            System.out.println("counts alloc_bytes=" + alloc);
            System.out.flush();
            return;
        }
        java.lang.reflect.Field f = Verdant.class.getDeclaredField("core");
        f.setAccessible(true);
        io.verdant.internal.sched.Scheduler s = ((io.verdant.internal.RuntimeCore) f.get(rt)).scheduler;
        long dispatches = 0;
        long parks = 0;
        long searches = 0;
        long probes = 0;
        long steals = 0;
        long spinPhases = 0;
        long spinPasses = 0;
        long noop = 0;
        long spinsFound = 0;
        long spinNanos = 0;
        for (io.verdant.internal.sched.Worker w : s.carriers()) {
            io.verdant.internal.sched.WorkerCounters c = w.counters;
            dispatches += w.dispatchCount();
            parks += c.parks;
            searches += c.searches;
            probes += c.stealProbes;
            steals += c.steals;
            spinPhases += c.spinPhases;
            spinPasses += c.spinPasses;
            noop += c.noopWakeups;
            spinsFound += c.spinsFound;
            spinNanos += c.spinNanos;
        }
        System.out.println("counts dispatches=" + dispatches + " parks=" + parks + " wakeups=" + s.wakeupsIssued()
                + " noop_wakeups=" + noop + " searches=" + searches + " steal_probes=" + probes + " steals=" + steals
                + " spin_phases=" + spinPhases + " spins_found=" + spinsFound + " spin_passes=" + spinPasses
                + " spin_ns=" + spinNanos
                + " injected=" + s.injectionCounts()[2] + " poller_runs=" + s.pollerRuns()
                + " poller_rescues=" + s.pollerRescues()
                + " ticker_passes=" + s.ticker().passes() + " ticker_dozes=" + s.ticker().dozes()
                + " ticker_rousings=" + s.ticker().rousings() + " held_passes=" + s.sysmon().heldPasses()
                + " alloc_bytes=" + alloc);
        System.out.flush();
    }
}
