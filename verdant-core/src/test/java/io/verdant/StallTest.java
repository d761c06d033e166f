package io.verdant;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.verdant.internal.GreenThread;
import io.verdant.internal.sched.CarrierProbe;
import io.verdant.internal.sched.Sysmon;
import io.verdant.internal.sched.Task;
import io.verdant.internal.sched.Worker;

import static org.assertj.core.api.Assertions.assertThat;

/** The monitor: stalled carriers are reported and their work handed to spare carriers. */
@Timeout(60)
class StallTest {
    /**
     * Captures what System.Logger "io.verdant.sysmon" prints, through its default
     * java.util.logging backend. Reflection, because the tests are patched into
     * module io.verdant, which does not read java.logging (core reflection does
     * not need readability).
     */
    private final ByteArrayOutputStream log = new ByteArrayOutputStream();
    private Object logger;
    private Object handler;

    @BeforeEach
    void capture() throws Exception {
        Class<?> loggerClass = Class.forName("java.util.logging.Logger");
        Class<?> formatter = Class.forName("java.util.logging.Formatter");
        logger = loggerClass.getMethod("getLogger", String.class).invoke(null, "io.verdant.sysmon");
        handler = Class.forName("java.util.logging.StreamHandler").getConstructor(OutputStream.class, formatter)
                .newInstance(log, Class.forName("java.util.logging.SimpleFormatter").getConstructor().newInstance());
        loggerClass.getMethod("addHandler", Class.forName("java.util.logging.Handler")).invoke(logger, handler);
    }

    @AfterEach
    void release() throws Exception {
        Class.forName("java.util.logging.Logger").getMethod("removeHandler", Class.forName("java.util.logging.Handler"))
                .invoke(logger, handler);
    }

    private String logText() throws Exception {
        Class.forName("java.util.logging.Handler").getMethod("flush").invoke(handler);
        synchronized (log) {
            return log.toString(StandardCharsets.UTF_8);
        }
    }

    /** WARNING records about carriers of runtime {@code name}. */
    private int stallReports(String name) throws Exception {
        return stallReports(name, "");
    }

    /** WARNING records about carriers of runtime {@code name} held by a green thread whose name contains {@code who}. */
    private int stallReports(String name, String who) throws Exception {
        String text = logText();
        String key = "WARNING: green thread ";
        int count = 0;
        for (int i = text.indexOf(key); i >= 0; i = text.indexOf(key, i + 1)) {
            int end = text.indexOf('\n', i);
            String line = text.substring(i, end < 0 ? text.length() : end);
            if (line.contains("has held carrier " + name + "-") && line.contains(who)) {
                count++;
            }
        }
        return count;
    }

    /** Never reaches a safepoint: no checkpoint, no park, only a volatile read. */
    static long spinWithoutSafepoint(AtomicBoolean stop) {
        long n = 0;
        while (!stop.get()) {
            n++;
        }
        return n;
    }

    @Test
    void aLoopWithoutSafepointDoesNotStopOtherGreenThreadsAndIsReportedOnce() throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        try (Verdant rt = Verdant.start(Config.builder().workers(1).name("stall-one")
                .stallThreshold(Duration.ofMillis(100)).build())) {
            GreenHandle<Long> looper = rt.spawner().name("looper").spawn(() -> spinWithoutSafepoint(stop));
            try {
                waitUntil(() -> looper.state() == GreenState.RUNNING);
                // The only core carrier is stuck: these run on a spare carrier.
                List<GreenHandle<Integer>> others = new ArrayList<>();
                for (int i = 0; i < 100; i++) {
                    int n = i;
                    others.add(rt.spawn(() -> {
                        Green.yield();
                        return n;
                    }));
                }
                long sum = 0;
                for (GreenHandle<Integer> h : others) {
                    sum += h.join(Duration.ofSeconds(20));
                }
                assertThat(sum).isEqualTo(4950);
                assertThat(spareThreads("stall-one")).hasSize(1);
            } finally {
                stop.set(true);
            }
            looper.join(Duration.ofSeconds(20));
            // The stuck carrier is back: its spare retires.
            waitUntil(() -> spareThreads("stall-one").isEmpty());

            // Reports are written by a short-lived reporter thread, off the ticker.
            waitUntil(() -> stallReports("stall-one", "[looper]") >= 1);
            assertThat(stallReports("stall-one", "[looper]")).isEqualTo(1);
            assertThat(logText()).contains("WARNING").contains(looper.pid().toString()).contains("[looper]")
                    .contains("stall-one-carrier-0").contains("stall-one-spare-0").containsPattern("for \\d+ ms")
                    .contains("StallTest.spinWithoutSafepoint");
        }
    }

    /**
     * A stall in an event actor's handler is reported as the actor's (its code is the
     * stack shown), not as the dispatcher green thread's that runs the handler.
     */
    @Test
    void aStallInAnEventActorsHandlerNamesTheActor() throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        try (Verdant rt = Verdant.start(Config.builder().workers(1).name("stall-actor")
                .stallThreshold(Duration.ofMillis(50)).build())) {
            CountDownLatch inHandler = new CountDownLatch(1);
            GreenHandle<Object> actor = Actors.spawner(rt).name("spinning-actor").spawn(null, (s, m) -> {
                inHandler.countDown();
                spinWithoutSafepoint(stop);
                return s;
            });
            try {
                rt.spawn(() -> {
                    Green.send(actor.pid(), "spin");
                    return null;
                }).join(Duration.ofSeconds(20));
                assertThat(inHandler.await(20, TimeUnit.SECONDS)).isTrue();
                // Work waiting behind it: the stall rule applies.
                assertThat(rt.spawn(() -> 1).join(Duration.ofSeconds(20))).isEqualTo(1);
                waitUntil(() -> stallReports("stall-actor") >= 1);
                assertThat(stallReports("stall-actor", "[spinning-actor]")).isEqualTo(1);
            } finally {
                stop.set(true);
            }
            actor.cancel();
        }
    }

    @Test
    void spareCarriersAreBounded() throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        try (Verdant rt = Verdant.start(Config.builder().workers(2).maxSpareCarriers(1).name("stall-bound")
                .stallThreshold(Duration.ofMillis(50)).build())) {
            List<GreenHandle<Long>> loopers = new ArrayList<>();
            try {
                // Three loops: two stall the cores, then the third stalls the one spare.
                for (int i = 0; i < 3; i++) {
                    loopers.add(rt.spawner().name("looper-" + i).spawn(() -> spinWithoutSafepoint(stop)));
                }
                waitUntil(() -> loopers.stream().allMatch(h -> h.state() == GreenState.RUNNING));
                GreenHandle<Integer> queued = rt.spawn(() -> 1);
                waitUntil(() -> stallReports("stall-bound") >= 3);
                assertThat(spareThreads("stall-bound")).hasSize(1);
                assertThat(logText()).contains("all 1 are in use");
                assertThat(queued.isDone()).isFalse();
            } finally {
                stop.set(true);
            }
            for (GreenHandle<Long> h : loopers) {
                h.join(Duration.ofSeconds(20));
            }
            waitUntil(() -> spareThreads("stall-bound").isEmpty());
        }
    }

    /** The stall monitor of the runtime the caller runs in (a green thread). */
    static Sysmon sysmon(Verdant rt) {
        return rt.run(() -> GreenThread.current().runtime().scheduler.sysmon());
    }

    /** Spins without a safepoint until the stall monitor has reported a stall; then returns at once. */
    static long spinUntilReported() {
        Sysmon sysmon = GreenThread.current().runtime().scheduler.sysmon();
        long n = 0;
        while (sysmon.stallsReported() == 0) {
            n++;
        }
        return n;
    }

    @Test
    void theStallReportCarriesTheStackTakenAtDetection() throws Exception {
        // Issue 10, item 13: the offender returns the moment the stall is counted;
        // a stack taken afterwards (by the reporter thread) would be empty.
        try (Verdant rt = Verdant.start(Config.builder().workers(1).name("stall-moved")
                .stallThreshold(Duration.ofMillis(50)).build())) {
            GreenHandle<Long> mover = rt.spawner().name("mover").spawn(StallTest::spinUntilReported);
            waitUntil(() -> mover.state() == GreenState.RUNNING);
            GreenHandle<Integer> other = rt.spawn(() -> 1);
            mover.join(Duration.ofSeconds(20));
            assertThat(other.join(Duration.ofSeconds(20))).isEqualTo(1);
            waitUntil(() -> stallReports("stall-moved", "[mover]") >= 1);
            assertThat(logText()).contains("Its stack trace follows").contains("StallTest.spinUntilReported");
        }
    }

    /** A probe that answers like the JVM's except where a test says otherwise. */
    static class TestProbe implements CarrierProbe {
        @Override
        public long cpuNanos(Worker carrier) {
            return CarrierProbe.JVM.cpuNanos(carrier);
        }

        @Override
        public boolean blocked(Worker carrier) {
            return CarrierProbe.JVM.blocked(carrier);
        }
    }

    @Test
    void aStallWhoseStackCannotBeCapturedSaysSo() throws Exception {
        // Issue 10, item 13: no "Its stack trace follows" when none could be had.
        AtomicBoolean stop = new AtomicBoolean();
        try (Verdant rt = Verdant.start(Config.builder().workers(1).name("stall-nostack")
                .stallThreshold(Duration.ofMillis(50)).build())) {
            sysmon(rt).probe(new TestProbe() {
                @Override
                public StackTraceElement[] stack(Task running, Worker carrier) {
                    return null;
                }
            });
            GreenHandle<Long> looper = rt.spawner().name("looper").spawn(() -> spinWithoutSafepoint(stop));
            try {
                waitUntil(() -> looper.state() == GreenState.RUNNING);
                assertThat(rt.spawn(() -> 1).join(Duration.ofSeconds(20))).isEqualTo(1);
                waitUntil(() -> stallReports("stall-nostack", "[looper]") >= 1);
            } finally {
                stop.set(true);
            }
            looper.join(Duration.ofSeconds(20));
            assertThat(logText()).contains("No stack trace could be captured").doesNotContain("stack trace follows");
        }
    }

    @Test
    void aCarrierThatDidNotRunIsNotStalledAndIsReportedOnceItRuns() throws Exception {
        // Issue 10, item 14: the carrier's CPU clock stands still (as when the OS
        // does not schedule it, or GC stops it): no report, no spare, however long.
        // Once the clock moves, the stall is reported and a spare takes the work.
        AtomicBoolean stop = new AtomicBoolean();
        AtomicBoolean runs = new AtomicBoolean();
        AtomicInteger asked = new AtomicInteger();
        try (Verdant rt = Verdant.start(Config.builder().workers(1).name("stall-cpu")
                .stallThreshold(Duration.ofMillis(50)).build())) {
            Sysmon sysmon = sysmon(rt);
            sysmon.probe(new TestProbe() {
                @Override
                public long cpuNanos(Worker carrier) {
                    asked.incrementAndGet();
                    return runs.get() ? System.nanoTime() : 0;
                }

                @Override
                public boolean blocked(Worker carrier) {
                    return false;
                }
            });
            GreenHandle<Long> looper = rt.spawner().name("looper").spawn(() -> spinWithoutSafepoint(stop));
            try {
                waitUntil(() -> looper.state() == GreenState.RUNNING);
                int before = asked.get();
                GreenHandle<Integer> other = rt.spawn(() -> 1);
                // ~40 ticks of a hold past the 50 ms threshold, all with a still CPU clock.
                waitUntil(() -> asked.get() >= before + 40);
                assertThat(sysmon.stallsReported()).isZero();
                assertThat(sysmon.sparesStarted()).isZero();
                assertThat(other.isDone()).isFalse();
                runs.set(true);
                assertThat(other.join(Duration.ofSeconds(20))).isEqualTo(1);
                waitUntil(() -> stallReports("stall-cpu", "[looper]") >= 1);
                assertThat(sysmon.stallsReported()).isEqualTo(1);
            } finally {
                stop.set(true);
            }
            looper.join(Duration.ofSeconds(20));
        }
    }

    @Test
    void aCarrierThatRunsIsReportedWithinTheThresholdAndTwoTicks() throws Exception {
        // Issue 10, item 14: consulting the CPU clock does not delay a real stall.
        // The probe says the carrier ran all the time (the load of the test machine
        // cannot starve it); held is measured by the ticker, whose own late wake-ups
        // longer than 5 ms are not counted (Sysmon, PAUSE_NANOS).
        AtomicBoolean stop = new AtomicBoolean();
        try (Verdant rt = Verdant.start(Config.builder().workers(1).name("stall-prompt")
                .stallThreshold(Duration.ofMillis(50)).build())) {
            sysmon(rt).probe(new TestProbe() {
                @Override
                public long cpuNanos(Worker carrier) {
                    return System.nanoTime();
                }
            });
            java.util.concurrent.atomic.AtomicLong startedAt = new java.util.concurrent.atomic.AtomicLong();
            GreenHandle<Long> looper = rt.spawner().name("looper").spawn(() -> {
                startedAt.set(System.nanoTime());
                return spinWithoutSafepoint(stop);
            });
            long waitingAfterMs;
            try {
                waitUntil(() -> looper.state() == GreenState.RUNNING);
                GreenHandle<Integer> waiting = rt.spawn(() -> 1);
                // Work waits from here: a stall is only reported while work waits, so a slow
                // test thread (a loaded machine) can make the hold longer than the threshold.
                waitingAfterMs = (System.nanoTime() - startedAt.get()) / 1_000_000;
                assertThat(waiting.join(Duration.ofSeconds(20))).isEqualTo(1);
                waitUntil(() -> stallReports("stall-prompt", "[looper]") >= 1);
            } finally {
                stop.set(true);
            }
            looper.join(Duration.ofSeconds(20));
            Matcher m = Pattern.compile("has held carrier stall-prompt-carrier-0 for (\\d+) ms").matcher(logText());
            assertThat(m.find()).isTrue();
            // threshold (or the time work started to wait, if later) + 2 ticks, + up to 5 ms
            // of one uncounted-as-pause ticker delay
            assertThat(Long.parseLong(m.group(1))).isBetween(50L, Math.max(50L, waitingAfterMs) + 2 + 5);
        }
    }

    @Test
    void aBusyCarrierIsNotBlockedSoAStillCpuClockIsNoStall() throws Exception {
        // The JVM's own answer to "blocked?" for a carrier running a green thread that
        // spins: HotSpot reports such a carrier as WAITING, which counted as blocked, so
        // every hold passed whatever its CPU clock said (a loaded machine's descheduled
        // carriers were reported). Only the CPU clock is faked here: it stands still.
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger asked = new AtomicInteger();
        AtomicInteger blockedSaid = new AtomicInteger();
        try (Verdant rt = Verdant.start(Config.builder().workers(1).name("stall-busy")
                .stallThreshold(Duration.ofMillis(50)).build())) {
            Sysmon sysmon = sysmon(rt);
            sysmon.probe(new TestProbe() {
                @Override
                public long cpuNanos(Worker carrier) {
                    asked.incrementAndGet();
                    return 0;
                }

                @Override
                public boolean blocked(Worker carrier) {
                    boolean b = super.blocked(carrier);
                    if (b) {
                        blockedSaid.incrementAndGet();
                    }
                    return b;
                }
            });
            GreenHandle<Long> looper = rt.spawner().name("looper").spawn(() -> spinWithoutSafepoint(stop));
            try {
                waitUntil(() -> looper.state() == GreenState.RUNNING);
                int before = asked.get();
                GreenHandle<Integer> other = rt.spawn(() -> 1);
                // ~40 ticks of a hold past the threshold, with a still CPU clock (or a report:
                // once a stall is confirmed the clock is not asked again).
                waitUntil(() -> asked.get() >= before + 40 || sysmon.stallsReported() != 0);
                assertThat(blockedSaid.get()).as("ticks at which a spinning carrier was called blocked").isZero();
                assertThat(sysmon.stallsReported()).isZero();
                assertThat(other.isDone()).isFalse();
            } finally {
                stop.set(true);
            }
            looper.join(Duration.ofSeconds(20));
        }
    }

    @Test
    void aCarrierBlockedInNativeCodeIsAStallWithAStillCpuClock() throws Exception {
        // A green thread in a blocking native read (a child process's output, not yet
        // written) holds its carrier without using the CPU: still a stall.
        Process sleeper = new ProcessBuilder("sleep", "60").start();
        try (Verdant rt = Verdant.start(Config.builder().workers(1).name("stall-native")
                .stallThreshold(Duration.ofMillis(50)).build())) {
            Sysmon sysmon = sysmon(rt);
            sysmon.probe(new TestProbe() {
                @Override
                public long cpuNanos(Worker carrier) {
                    return 0;
                }
            });
            GreenHandle<Integer> reader = rt.spawner().name("reader").spawn(() -> sleeper.getInputStream().read());
            waitUntil(() -> reader.state() == GreenState.RUNNING);
            GreenHandle<Integer> other = rt.spawn(() -> 1);
            assertThat(other.join(Duration.ofSeconds(20))).as("run by the spare the stall started").isEqualTo(1);
            waitUntil(() -> stallReports("stall-native", "[reader]") >= 1);
            assertThat(sysmon.stallsReported()).isEqualTo(1);
            sleeper.destroyForcibly();
            assertThat(reader.join(Duration.ofSeconds(20))).isEqualTo(-1);
        } finally {
            sleeper.destroyForcibly();
        }
    }

    /** A probe whose CPU clock runs at a third of wall time: a carrier the OS runs a third of the time (a loaded machine). */
    static final class StarvedProbe extends TestProbe {
        final java.util.concurrent.atomic.AtomicLong lastCpu = new java.util.concurrent.atomic.AtomicLong();

        @Override
        public long cpuNanos(Worker carrier) {
            long cpu = System.nanoTime() / 3;
            lastCpu.set(cpu);
            return cpu;
        }

        @Override
        public boolean blocked(Worker carrier) {
            return false;
        }
    }

    @Test
    void aStarvedCarrierWhoseTaskUsedLessCpuThanTheThresholdIsNotStalled() throws Exception {
        // A task that holds its carrier for 2.5 thresholds of wall time on a carrier the OS
        // runs a third of the time has used 0.83 of a threshold of CPU: not a stall. (The
        // rule before, a quarter of the hold's second half in CPU, reported it: a loaded
        // machine's short tasks were reported as stalls.)
        long thresholdMs = 50;
        try (Verdant rt = Verdant.start(Config.builder().workers(1).name("stall-starved")
                .stallThreshold(Duration.ofMillis(thresholdMs)).build())) {
            Sysmon sysmon = sysmon(rt);
            StarvedProbe probe = new StarvedProbe();
            sysmon.probe(probe);
            CountDownLatch running = new CountDownLatch(1);
            GreenHandle<Integer> holder = rt.spawner().name("holder").spawn(() -> {
                running.countDown();
                spinFor(thresholdMs * 5 / 2);
                return 1;
            });
            assertThat(running.await(20, TimeUnit.SECONDS)).isTrue();
            // Work waits behind the holder for the whole hold (stalls are judged only then).
            GreenHandle<Integer> waiting = rt.spawn(() -> 2);
            assertThat(holder.join(Duration.ofSeconds(20))).isEqualTo(1);
            assertThat(waiting.join(Duration.ofSeconds(20))).isEqualTo(2);
            assertThat(probe.lastCpu.get()).as("the CPU clock was consulted").isNotZero();
            assertThat(sysmon.stallsReported()).isZero();
            assertThat(sysmon.sparesStarted()).isZero();
            assertThat(stallReports("stall-starved")).isZero();
        }
    }

    @Test
    void aCpuBoundHoldOnAStarvedCarrierIsReportedOnceItUsedTheThreshold() throws Exception {
        // The same starved carrier held by a loop that never ends: once it has used a
        // threshold of CPU (about three thresholds of wall time), it is a stall.
        AtomicBoolean stop = new AtomicBoolean();
        try (Verdant rt = Verdant.start(Config.builder().workers(1).name("stall-slow")
                .stallThreshold(Duration.ofMillis(50)).build())) {
            Sysmon sysmon = sysmon(rt);
            sysmon.probe(new StarvedProbe());
            GreenHandle<Long> looper = rt.spawner().name("looper").spawn(() -> spinWithoutSafepoint(stop));
            try {
                waitUntil(() -> looper.state() == GreenState.RUNNING);
                assertThat(rt.spawn(() -> 1).join(Duration.ofSeconds(20))).isEqualTo(1);
                waitUntil(() -> stallReports("stall-slow", "[looper]") >= 1);
                assertThat(sysmon.stallsReported()).isEqualTo(1);
            } finally {
                stop.set(true);
            }
            looper.join(Duration.ofSeconds(20));
        }
    }

    /** Spins for {@code ms} milliseconds of wall time without reaching a safepoint. */
    static void spinFor(long ms) {
        long t0 = System.nanoTime();
        while (System.nanoTime() - t0 < ms * 1_000_000L) {
            Thread.onSpinWait();
        }
    }

    @Test
    void aSpareThatStallsAndGetsItsOwnSpareHasBothRetired() throws Exception {
        // Issue 10, item 5 (the SpareLeak reproducer): the core carrier stalls in
        // "first" -> spare-0, which takes "second" and stalls in turn -> spare-1.
        // When the core returns spare-0 is told to retire; it leaves once "second"
        // ends, and then spare-1, whose stalled carrier has left, must retire too.
        // Each step waits for the previous one to be seen (not for a time): a spare
        // starts only while work waits, so the small tasks are spawned only once
        // "second" holds spare-0; "first" spins until the chain exists, "second"
        // until "first" has ended (the core is back and spare-0 told to retire).
        try (Verdant rt = Verdant.start(Config.builder().workers(1).name("stall-chain").maxSpareCarriers(2)
                .stallThreshold(Duration.ofMillis(50)).shutdownTimeout(Duration.ofMillis(500)).build())) {
            AtomicBoolean chainSeen = new AtomicBoolean();
            GreenHandle<String> first = rt.spawner().name("first").spawn(() -> {
                spinUntil(chainSeen::get);
                return Thread.currentThread().toString();
            });
            waitUntil(() -> first.state() == GreenState.RUNNING);
            GreenHandle<List<String>> second = rt.spawner().name("second").spawn(() -> {
                spinUntil(() -> spareThreads("stall-chain").size() == 2);
                // Which spares exist while this one still holds its carrier.
                List<String> seen = spareThreads("stall-chain").stream().map(Thread::getName).toList();
                chainSeen.set(true);
                spinUntil(first::isDone);
                return seen;
            });
            waitUntil(() -> second.state() == GreenState.RUNNING);
            List<GreenHandle<Void>> small = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                small.add(rt.spawn(() -> spinFor(5)));
            }
            assertThat(first.join(Duration.ofSeconds(30))).contains("stall-chain-carrier-0");
            List<String> sparesSeenBySecond = second.join(Duration.ofSeconds(30));
            for (GreenHandle<Void> h : small) {
                h.join(Duration.ofSeconds(20));
            }
            assertThat(sparesSeenBySecond).as("the spare running 'second' stalled and got its own spare")
                    .containsExactlyInAnyOrder("stall-chain-spare-0", "stall-chain-spare-1");
            waitUntil(() -> spareThreads("stall-chain").isEmpty());
        }
    }

    /** Spins without a safepoint until {@code done} holds, for at most 20 s (then the test's assertions fail). */
    static void spinUntil(java.util.function.BooleanSupplier done) {
        long t0 = System.nanoTime();
        while (!done.getAsBoolean() && System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(20)) {
            spinFor(1); // the condition may list all threads: not in a tight loop
        }
    }

    @Test
    void tickerMonitorSparesAndBlockingPoolStopOnClose() throws Exception {
        Verdant rt = Verdant.start(Config.builder().workers(1).name("stall-close")
                .stallThreshold(Duration.ofMillis(50)).shutdownTimeout(Duration.ofSeconds(10)).build());
        // Spins until close() interrupts it: no safepoint, but it ends when asked.
        GreenHandle<Void> looper = rt.spawn(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                Thread.onSpinWait();
            }
        });
        waitUntil(() -> looper.state() == GreenState.RUNNING);
        assertThat(rt.spawn(() -> Green.blocking(() -> "off carrier")).join(Duration.ofSeconds(20)))
                .isEqualTo("off carrier");
        assertThat(spareThreads("stall-close")).hasSize(1);
        assertThat(threads("stall-close")).extracting(Thread::getName)
                .anyMatch(n -> n.contains("-ticker")).anyMatch(n -> n.contains("-blocking-"));
        rt.close();
        for (Thread t : threads("stall-close")) {
            t.join(TimeUnit.SECONDS.toMillis(10));
        }
        assertThat(threads("stall-close")).isEmpty();
    }

    static List<Thread> threads(String runtimeName) {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && t.getName().startsWith(runtimeName + "-")).toList();
    }

    static List<Thread> spareThreads(String runtimeName) {
        // Not the short-lived "<carrier>-stall-report" threads, whose names start with a spare's name too.
        return threads(runtimeName).stream().filter(t -> t.getName().startsWith(runtimeName + "-spare-")
                && !t.getName().endsWith("-stall-report")).toList();
    }

    interface Condition {
        boolean holds() throws Exception;
    }

    static void waitUntil(Condition condition) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!condition.holds()) {
            assertThat(System.nanoTime()).as("condition not reached within 20 s").isLessThan(deadline);
            Thread.sleep(5);
        }
    }
}
