package io.verdant.bench.net;

import io.verdant.Config;
import io.verdant.RuntimeMetrics;
import io.verdant.Verdant;
import io.verdant.examples.net.HttpServer;
import io.verdant.examples.net.ThreadStarter;
import io.verdant.internal.RuntimeCore;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.reflect.Field;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Load-independent event counts per HTTP request on a Verdant server (issue 11's
 * http target, where the time goes): {@code HttpCounts [workers] [connections]
 * [requests per connection] [verdant|vt-default]}. Runs the HTTP example in this JVM on Verdant (server
 * timeouts as in the http comparison: idle 60 s, request 30 s), drives it with
 * {@code connections} closed-loop keep-alive clients on platform threads (one
 * request in flight per connection, so the server's read of the next request
 * blocks every time), and prints per request:
 * <ul>
 *   <li>{@code jdk_timer_schedules}, {@code jdk_timer_removals}: tasks put into and
 *       cancelled out of the JDK's {@code VirtualThread$DelayedTaskSchedulers} (the
 *       {@code ScheduledThreadPoolExecutor}s that time a timed park of a virtual thread
 *       whose scheduler is not a {@code ForkJoinPool}); counted by swapping the JDK's
 *       executors for counting ones (reflection; needs
 *       {@code --add-opens java.base/java.lang=ALL-UNNAMED});</li>
 *   <li>{@code polls} (tasks dispatched), {@code carrier_parks}, {@code noop_wakeups}
 *       from {@link Verdant#metrics()};</li>
 *   <li>{@code injections}: tasks pushed into the runtime's injection queues (the
 *       master poller's wake-ups of a sub-poller; before issue 11's PollerHost, every
 *       wake-up of a green thread by the JDK's poller);</li>
 *   <li>{@code steals}, {@code carrier_wakeups} (idle carriers unparked by a signal),
 *       {@code subpoller_runs} (JDK sub-poller continuations run on the carriers; 0
 *       with {@code -Dio.verdant.jdkPollers=default}).</li>
 * </ul>
 * With {@code vt-default} (the server on default virtual threads) it prints instead
 * {@code delayed_tasks_mean}/{@code _max}: the default scheduler's
 * {@code ForkJoinPool.getDelayedTaskCount()} sampled every millisecond, i.e. how many
 * timed parks (socket read timeouts, the sweeper) wait in the pool's delay queue.
 * Counts, not times, but not all independent of timing: a read blocks (one
 * dispatch, one injection, and with a socket read timeout one JDK timer task)
 * only when the next request is not there yet, and parks and no-op wake-ups
 * depend on how often carriers run dry; compare the counts per dispatch.
 */
public final class HttpCounts {
    private HttpCounts() {
    }

    /** A JDK delay-queue executor that counts what the JDK schedules on it and removes from it. */
    private static final class CountingTimer extends ScheduledThreadPoolExecutor {
        static final AtomicLong SCHEDULED = new AtomicLong();
        static final AtomicLong REMOVED = new AtomicLong();

        CountingTimer() {
            super(1, r -> {
                Thread t = new Thread(r, "VirtualThread-unparker");
                t.setDaemon(true);
                return t;
            });
            setRemoveOnCancelPolicy(true); // as the JDK's own
        }

        @Override
        public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
            SCHEDULED.incrementAndGet();
            return super.schedule(command, delay, unit);
        }

        @Override
        public boolean remove(Runnable task) {
            REMOVED.incrementAndGet();
            return super.remove(task);
        }
    }

    /** Replaces the JDK's delayed-task executors for custom virtual-thread schedulers by counting ones. */
    private static void installCountingTimers() throws ReflectiveOperationException {
        Class<?> c = Class.forName("java.lang.VirtualThread$DelayedTaskSchedulers");
        Field f = c.getDeclaredField("INSTANCE");
        f.setAccessible(true);
        Object[] executors = (Object[]) f.get(null);
        for (int i = 0; i < executors.length; i++) {
            executors[i] = new CountingTimer();
        }
    }

    public static void main(String[] args) throws Exception {
        int workers = args.length > 0 ? Integer.parseInt(args[0]) : 2;
        int connections = args.length > 1 ? Integer.parseInt(args[1]) : 1;
        int requests = args.length > 2 ? Integer.parseInt(args[2]) : 20_000;
        if (args.length > 3 && args[3].equals("vt-default")) {
            countDefaultScheduler(connections, requests);
            System.exit(0);
        }
        installCountingTimers();
        try (Verdant rt = Verdant.start(Config.builder().workers(workers).name("counts").build());
             HttpServer server = new HttpServer(ThreadStarter.green(rt),
                     new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                     Duration.ofSeconds(60), Duration.ofSeconds(30), Duration.ofSeconds(1))) {
            RuntimeCore core = core(rt);
            drive(server.port(), connections, Math.max(1, requests / 10)); // warm-up
            long s0 = CountingTimer.SCHEDULED.get();
            long r0 = CountingTimer.REMOVED.get();
            RuntimeMetrics m0 = rt.metrics();
            long i0 = core.scheduler.injectionCounts()[2];
            long w0 = core.scheduler.wakeupsIssued();
            long p0 = core.scheduler.pollerRuns();
            long total = drive(server.port(), connections, requests);
            long i1 = core.scheduler.injectionCounts()[2];
            long w1 = core.scheduler.wakeupsIssued();
            long p1 = core.scheduler.pollerRuns();
            RuntimeMetrics m1 = rt.metrics();
            long s1 = CountingTimer.SCHEDULED.get();
            long r1 = CountingTimer.REMOVED.get();
            double n = total;
            System.out.printf(java.util.Locale.ROOT,
                    "COUNTS http workers=%d connections=%d requests=%d per_request: jdk_timer_schedules=%.3f "
                            + "jdk_timer_removals=%.3f polls=%.3f carrier_parks=%.3f noop_wakeups=%.3f "
                            + "injections=%.3f steals=%.3f carrier_wakeups=%.3f subpoller_runs=%.3f; "
                            + "jdk_timer_schedules per dispatch=%.3f%n",
                    workers, connections, total, (s1 - s0) / n, (r1 - r0) / n, (m1.polls() - m0.polls()) / n,
                    (m1.parks() - m0.parks()) / n, (m1.noopWakeups() - m0.noopWakeups()) / n, (i1 - i0) / n,
                    (m1.steals() - m0.steals()) / n, (w1 - w0) / n, (p1 - p0) / n,
                    (s1 - s0) / (double) Math.max(1, m1.polls() - m0.polls()));
        }
        System.exit(0);
    }

    /** The vt-default variant: samples the default scheduler's delay queue while the clients run. */
    private static void countDefaultScheduler(int connections, int requests) throws Exception {
        Field f = Class.forName("java.lang.VirtualThread").getDeclaredField("DEFAULT_SCHEDULER");
        f.setAccessible(true);
        java.util.concurrent.ForkJoinPool pool = (java.util.concurrent.ForkJoinPool) f.get(null);
        try (HttpServer server = new HttpServer(ThreadStarter.virtual(),
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                Duration.ofSeconds(60), Duration.ofSeconds(30), Duration.ofSeconds(1))) {
            drive(server.port(), connections, Math.max(1, requests / 10)); // warm-up
            AtomicLong samples = new AtomicLong();
            AtomicLong sum = new AtomicLong();
            AtomicLong max = new AtomicLong();
            java.util.concurrent.atomic.AtomicBoolean done = new java.util.concurrent.atomic.AtomicBoolean();
            Thread sampler = Thread.ofPlatform().start(() -> {
                while (!done.get()) {
                    long d = pool.getDelayedTaskCount();
                    samples.incrementAndGet();
                    sum.addAndGet(d);
                    max.accumulateAndGet(d, Math::max);
                    java.util.concurrent.locks.LockSupport.parkNanos(1_000_000L);
                }
            });
            long total = drive(server.port(), connections, requests);
            done.set(true);
            sampler.join();
            System.out.printf(java.util.Locale.ROOT,
                    "COUNTS http vt-default connections=%d requests=%d: delayed_tasks_mean=%.2f delayed_tasks_max=%d "
                            + "(samples %d)%n",
                    connections, total, sum.get() / (double) Math.max(1, samples.get()), max.get(), samples.get());
        }
    }

    private static RuntimeCore core(Verdant rt) throws ReflectiveOperationException {
        Field f = Verdant.class.getDeclaredField("core");
        f.setAccessible(true);
        return (RuntimeCore) f.get(rt);
    }

    /** {@code connections} platform threads, each making {@code perConnection} keep-alive requests in turn. */
    private static long drive(int port, int connections, int perConnection) throws Exception {
        List<Thread> clients = new ArrayList<>();
        AtomicLong done = new AtomicLong();
        List<Throwable> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        for (int i = 0; i < connections; i++) {
            clients.add(Thread.ofPlatform().start(() -> {
                try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
                    s.setTcpNoDelay(true);
                    s.setSoTimeout(30_000);
                    OutputStream out = s.getOutputStream();
                    InputStream in = new java.io.BufferedInputStream(s.getInputStream());
                    byte[] request = "GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1);
                    for (int r = 0; r < perConnection; r++) {
                        out.write(request);
                        readResponse(in);
                        done.incrementAndGet();
                    }
                } catch (Throwable t) {
                    failures.add(t);
                }
            }));
        }
        for (Thread t : clients) {
            t.join();
        }
        if (!failures.isEmpty()) {
            throw new IllegalStateException("client failed", failures.get(0));
        }
        return done.get();
    }

    /** Reads one response whose length is given by Content-Length. */
    private static void readResponse(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("EOF in response head: " + head);
            }
            head.write(b);
            matched = (b == (matched % 2 == 0 ? '\r' : '\n')) ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        String h = head.toString(StandardCharsets.ISO_8859_1);
        int i = h.toLowerCase(java.util.Locale.ROOT).indexOf("content-length:");
        int len = Integer.parseInt(h.substring(i + 15, h.indexOf('\r', i)).trim());
        if (in.readNBytes(len).length != len) {
            throw new IOException("EOF in response body");
        }
    }
}
