package io.verdant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

import static io.verdant.DetRuns.runDet;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

/**
 * Deterministic mode: seeded schedules on one carrier, virtual time, trace
 * hashes, deadlock reports and refusals of inputs the runtime cannot control.
 */
@Timeout(120)
@org.junit.jupiter.api.extension.ExtendWith(DetRuns.QuietRestartLog.class)
class DeterministicModeTest {
    /** A lock timeout that never expires (saturates to Deadline.FOREVER: an untimed park). */
    private static final Duration FOREVER = Duration.ofSeconds(Long.MAX_VALUE);

    /** Failures to a no-op handler: the workload's expected crash is not logged (see DetRuns.QuietRestartLog). */
    private static final Config QUIET = DetRuns.QUIET;

    // ------------------------------------------------------------------ virtual time

    @Test
    void sleepOfAnHourReturnsAtOnceWithVirtualTimeAnHourLater() {
        long realStart = System.nanoTime();
        List<ScheduleTrace> traces = new ArrayList<>();
        long[] seen = runDet(Determinism.seed(1), () -> {
            long t0 = Green.nanoTime();
            Green.sleep(Duration.ofHours(1));
            return new long[] {t0, Green.nanoTime()};
        }, traces);
        long realMillis = (System.nanoTime() - realStart) / 1_000_000;
        assertThat(seen[1] - seen[0]).isEqualTo(Duration.ofHours(1).toNanos());
        assertThat(traces.getFirst().virtualNanos()).isEqualTo(Duration.ofHours(1).toNanos());
        assertThat(realMillis).as("real milliseconds for a virtual hour").isLessThan(5_000);
    }

    @Test
    void timeoutsFireAtTheirVirtualDeadline() {
        long[] seen = runDet(Determinism.seed(2), () -> {
            Channel<String> ch = Channel.rendezvous();
            long t0 = Green.nanoTime();
            assertThatThrownBy(() -> ch.receive(Duration.ofSeconds(30))).isInstanceOf(TimedOutException.class);
            long t1 = Green.nanoTime();
            assertThatThrownBy(() -> Green.receive(Duration.ofMinutes(2))).isInstanceOf(TimedOutException.class);
            long t2 = Green.nanoTime();
            return new long[] {t1 - t0, t2 - t1};
        }, null);
        assertThat(seen[0]).isEqualTo(Duration.ofSeconds(30).toNanos());
        assertThat(seen[1]).isEqualTo(Duration.ofMinutes(2).toNanos());
    }

    @Test
    void manySleepersWakeInDeadlineOrder() {
        List<Integer> order = runDet(Determinism.seed(3), () -> {
            List<Integer> woke = new ArrayList<>();
            List<GreenHandle<Void>> hs = new ArrayList<>();
            for (int i = 20; i > 0; i--) {
                int n = i;
                hs.add(Green.spawn(() -> {
                    Green.sleep(Duration.ofSeconds(n));
                    woke.add(n); // one green thread at a time: a plain list is safe here
                }));
            }
            Green.joinAll(hs);
            return woke;
        }, null);
        List<Integer> expected = new ArrayList<>();
        for (int i = 1; i <= 20; i++) {
            expected.add(i);
        }
        assertThat(order).isEqualTo(expected);
    }

    @Test
    void nanoTimeInANormalRuntimeIsTheRuntimeClock() {
        try (Verdant rt = Verdant.start(Config.builder().workers(1).build())) {
            long before = System.nanoTime();
            long t = rt.run(Green::nanoTime);
            assertThat(t).isBetween(before, System.nanoTime());
        }
        assertThatThrownBy(Green::nanoTime).isInstanceOf(IllegalStateException.class).hasMessageContaining("Green.nanoTime");
    }

    // ------------------------------------------------------------------ same seed, same schedule

    /** Channels of each kind, select with a timeout, a mutex, selective receive, sleeps, a supervisor restart. */
    static List<Object> mixedWorkload() throws Exception {
        List<Object> log = new ArrayList<>();
        Channel<Integer> bounded = Channel.bounded(2);
        Channel<Integer> rendezvous = Channel.rendezvous();
        Channel<Integer> unbounded = Channel.unbounded();
        Mutex<int[]> total = new Mutex<>(new int[1]);
        List<GreenHandle<?>> hs = new ArrayList<>();
        for (int p = 0; p < 3; p++) {
            int base = p * 100;
            hs.add(Green.spawn(() -> {
                for (int i = 0; i < 5; i++) {
                    bounded.send(base + i);
                    if (i % 2 == 0) {
                        Green.sleep(Duration.ofMillis(i + base / 100 + 1));
                    }
                }
            }));
        }
        hs.add(Green.spawn(() -> {
            for (int i = 0; i < 15; i++) {
                int v = bounded.receive();
                try (Mutex.Guard<int[]> g = total.lock(Duration.ofSeconds(10))) {
                    g.get()[0] += v;
                }
                if (v % 2 == 0) {
                    rendezvous.send(v);
                } else {
                    unbounded.send(v);
                }
            }
            rendezvous.close();
            unbounded.close();
        }));
        // Contention on the mutex from a second thread.
        hs.add(Green.spawn(() -> {
            for (int i = 0; i < 5; i++) {
                try (Mutex.Guard<int[]> g = total.lock(Duration.ofSeconds(10))) {
                    g.get()[0] += 1000;
                    Green.yield();
                }
            }
        }));
        // An actor with selective receive.
        GreenHandle<List<Object>> actor = Green.spawn(() -> {
            List<Object> got = new ArrayList<>();
            got.add(Green.receive(Integer.class));
            got.add(Green.receive(m -> m instanceof String s && s.startsWith("b")));
            got.add(Green.receive());
            try {
                got.add(Green.receive(Duration.ofMillis(5)));
            } catch (TimedOutException expected) {
                got.add("timed out at " + Green.nanoTime());
            }
            return got;
        });
        Green.send(actor.pid(), "a");
        Green.send(actor.pid(), "b");
        Green.send(actor.pid(), 7);
        // A supervisor restart.
        AtomicInteger starts = new AtomicInteger();
        Supervisor sup = Supervisor.builder().intensity(3, Duration.ofSeconds(10))
                .child(Supervisor.ChildSpec.of("c", () -> {
                    starts.incrementAndGet();
                    if ("crash".equals(Green.receive())) {
                        throw new IllegalStateException("crash (expected by the test)");
                    }
                    return null;
                }))
                .start();
        Optional<Pid> c = sup.child("c");
        Green.send(c.orElseThrow(), "crash");
        // Select over the two outputs, with a timeout.
        int open = 2;
        boolean rOpen = true;
        boolean uOpen = true;
        while (open > 0) {
            Select<Object> s = Select.create();
            if (rOpen) {
                s.onReceive(rendezvous, v -> (Object) ("r" + v));
            }
            if (uOpen) {
                s.onReceive(unbounded, v -> (Object) ("u" + v));
            }
            Object got;
            try {
                got = s.onTimeout(Duration.ofMillis(3), () -> "timeout").select();
            } catch (ChannelClosedException closed) {
                if (rendezvous.isClosed() && rOpen) {
                    rOpen = false;
                    open--;
                } else if (uOpen) {
                    uOpen = false;
                    open--;
                }
                continue;
            }
            log.add(got);
        }
        Green.joinAll(hs);
        log.add(actor.join());
        while (sup.restartCount() < 1) {
            Green.sleep(Duration.ofMillis(1));
        }
        sup.shutdown();
        log.add("starts=" + starts.get());
        try (Mutex.Guard<int[]> g = total.lock(Duration.ofSeconds(1))) {
            log.add("total=" + g.get()[0]);
        }
        log.add("t=" + Green.nanoTime());
        return log;
    }

    @Test
    void sameSeedGivesTheSameTraceStepsStateAndVirtualEndTime() {
        List<ScheduleTrace> traces = new ArrayList<>();
        List<Object> first = runDet(Determinism.seed(0x2A), DeterministicModeTest::mixedWorkload, traces);
        assertThat(first).contains("starts=2", "total=6530");
        for (int i = 0; i < 60; i++) {
            List<Object> again = runDet(Determinism.seed(0x2A), DeterministicModeTest::mixedWorkload, traces);
            assertThat(again).as("run %d", i).isEqualTo(first);
        }
        ScheduleTrace t0 = traces.getFirst();
        assertThat(t0.steps()).isGreaterThan(50);
        assertThat(traces).allSatisfy(t -> assertThat(t).isEqualTo(t0));
    }

    @Test
    void differentSeedsGiveManyDistinctSchedules() {
        Set<Long> hashes = new HashSet<>();
        List<ScheduleTrace> traces = new ArrayList<>();
        int seeds = 60;
        for (int s = 0; s < seeds; s++) {
            runDet(Determinism.seed(s), DeterministicModeTest::mixedWorkload, traces);
            hashes.add(traces.getLast().hash());
        }
        assertThat(hashes.size()).as("distinct hashes over %d seeds", seeds).isGreaterThanOrEqualTo(seeds / 2);
    }

    @Test
    void naturalStrategyIsReproducibleToo() {
        List<ScheduleTrace> traces = new ArrayList<>();
        List<Object> a = runDet(Determinism.seed(5).natural(), DeterministicModeTest::mixedWorkload, traces);
        List<Object> b = runDet(Determinism.seed(99).natural(), DeterministicModeTest::mixedWorkload, traces);
        assertThat(b).isEqualTo(a); // natural ignores the seed
        assertThat(traces.get(1).hash()).isEqualTo(traces.get(0).hash());
        assertThat(traces.get(0).replayKey()).isEqualTo("v1:natural:0x5");
    }

    // ------------------------------------------------------------------ finding bugs

    /** Two threads increment a plain counter with a Verdant operation between read and write. */
    private static int lostUpdate() {
        return DetRuns.counterRace(2, 3, Green::checkpoint); // a scheduling point: another thread may run there
    }

    @Test
    void randomStrategyFindsALostUpdateWithinTwentySeeds() {
        int found = -1;
        for (int s = 0; s < 20 && found < 0; s++) {
            if (runDet(Determinism.seed(s), DeterministicModeTest::lostUpdate, null) != 6) {
                found = s;
            }
        }
        assertThat(found).as("first seed that loses an update").isBetween(0, 19);
        // The failing seed replays: the same wrong count, the same trace.
        List<ScheduleTrace> traces = new ArrayList<>();
        int a = runDet(Determinism.seed(found), DeterministicModeTest::lostUpdate, traces);
        int b = runDet(Determinism.replay(traces.getFirst().replayKey()), DeterministicModeTest::lostUpdate, traces);
        assertThat(a).isEqualTo(b).isNotEqualTo(6);
        assertThat(traces.get(1)).isEqualTo(traces.get(0));
        // natural never switches at a non-blocking point: it cannot see this bug.
        assertThat(runDet(Determinism.seed(found).natural(), DeterministicModeTest::lostUpdate, null)).isEqualTo(6);
    }

    /** AB/BA: two threads take two mutexes in opposite orders, with a scheduling point between. */
    private static Void twoMutexCycle() {
        Mutex<String> m1 = new Mutex<>("one");
        Mutex<String> m2 = new Mutex<>("two");
        GreenHandle<Void> a = Green.spawner().name("alice").spawn(() -> {
            try (Mutex.Guard<String> g1 = m1.lock(FOREVER)) {
                Green.checkpoint();
                try (Mutex.Guard<String> g2 = m2.lock(FOREVER)) {
                    g2.set(g1.get() + "+alice");
                }
            }
        });
        GreenHandle<Void> b = Green.spawner().name("bob").spawn(() -> {
            try (Mutex.Guard<String> g2 = m2.lock(FOREVER)) {
                Green.checkpoint();
                try (Mutex.Guard<String> g1 = m1.lock(FOREVER)) {
                    g1.set(g2.get() + "+bob");
                }
            }
        });
        a.join();
        b.join();
        return null;
    }

    @Test
    void twoMutexDeadlockIsFoundAndReportedWithWhoWaitsOnWhat() {
        DeadlockException found = null;
        for (int s = 0; s < 50 && found == null; s++) {
            try {
                runDet(Determinism.seed(s), DeterministicModeTest::twoMutexCycle, null);
            } catch (DeadlockException e) {
                found = e;
            }
        }
        if (found == null) {
            fail("no deadlock within 50 seeds");
        }
        String msg = found.getMessage();
        assertThat(msg).startsWith("[replay v1:random:0x").contains("deadlock");
        assertThat(msg).contains("alice").contains("bob").contains("Mutex[held by");
        assertThat(msg).contains("joining"); // the root waits on alice
        // Replaying the key deadlocks again, at the same step.
        String key = found.replayKey();
        DeadlockException again = null;
        try {
            runDet(Determinism.replay(key), DeterministicModeTest::twoMutexCycle, null);
        } catch (DeadlockException e) {
            again = e;
        }
        assertThat(again).isNotNull();
        assertThat(again.trace()).isEqualTo(found.trace());
    }

    // ------------------------------------------------------------------ refusals

    @Test
    void threadSleepInAGreenThreadIsRefusedNamingTheCallAndTheFix() {
        // A wait long enough that the refusal names the call: a JDK timer that fires before
        // the carrier looks at the thread (a carrier descheduled that long on a loaded
        // machine) fails the run as a wake-up from a JDK timer thread instead, with a message
        // that does not name it (as in DeterministicEngineTest's refusals).
        assertThatThrownBy(() -> runDet(Determinism.seed(7), () -> {
            Thread.sleep(2_000);
            return null;
        }, null)).isInstanceOf(ScheduleFailedException.class)
                .hasMessageContaining("Thread.sleep")
                .hasMessageContaining("Green.sleep")
                .hasMessageContaining("v1:random:0x7");
    }

    @Test
    void parkNanosInAGreenThreadIsRefusedNamingTheCall() {
        assertThatThrownBy(() -> runDet(Determinism.seed(8), () -> {
            LockSupport.parkNanos(2_000_000_000L); // long enough: see threadSleepInAGreenThread...
            return null;
        }, null)).isInstanceOf(ScheduleFailedException.class)
                .hasMessageContaining("LockSupport.parkNanos")
                .hasMessageContaining("Green.sleep");
    }

    @Test
    void aWakeUpFromAPlatformThreadIsRefusedNamingTheThread() throws Exception {
        java.util.concurrent.CompletableFuture<String> fromOutside = new java.util.concurrent.CompletableFuture<>();
        java.util.concurrent.atomic.AtomicReference<Thread> root = new java.util.concurrent.atomic.AtomicReference<>();
        java.util.concurrent.atomic.AtomicBoolean outsiderDone = new java.util.concurrent.atomic.AtomicBoolean();
        Thread outsider = new Thread(() -> {
            // Complete the future once the root green thread is parked on it: its wake-up then
            // comes from this platform thread.
            Thread r;
            while ((r = root.get()) == null || r.getState() != Thread.State.WAITING) {
                Thread.onSpinWait();
            }
            fromOutside.complete("hello from outside");
            outsiderDone.set(true);
        }, "outsider");
        outsider.start();
        try (Verdant rt = Verdant.deterministic(Config.defaults(), Determinism.seed(9))) {
            assertThatThrownBy(() -> rt.run(() -> {
                // Keeps the runtime busy (so it is no deadlock) until the outsider has acted.
                Green.spawn(() -> {
                    while (!outsiderDone.get()) {
                        Green.yield();
                    }
                });
                root.set(Thread.currentThread());
                return fromOutside.get();
            })).isInstanceOf(ScheduleFailedException.class)
                    .hasMessageContaining("outsider")
                    .hasMessageContaining("outside the deterministic runtime");
        } finally {
            outsider.join(10_000);
        }
    }

    @Test
    void aContendedMonitorIsRefusedNamingSynchronizedAndTheFix() {
        Object monitor = new Object();
        assertThatThrownBy(() -> runDet(Determinism.seed(13).natural(), () -> {
            GreenHandle<Void> holder = Green.spawn(() -> {
                synchronized (monitor) {
                    Green.yield(); // unmounts holding the monitor (JDK 24+)
                }
            });
            GreenHandle<Void> contender = Green.spawn(() -> {
                synchronized (monitor) {
                    Green.checkpoint();
                }
            });
            holder.join();
            contender.join();
            return null;
        }, null)).isInstanceOf(ScheduleFailedException.class)
                .hasMessageContaining("synchronized")
                .hasMessageContaining("Mutex or ReentrantLock");
    }

    @Test
    void greenBlockingRunsInlineInADeterministicRuntime() {
        String where = runDet(Determinism.seed(10), () -> Green.blocking(() -> Thread.currentThread().isVirtual() ? "inline" : "pool"), null);
        assertThat(where).isEqualTo("inline");
    }

    @Test
    void explorationReportsTheFirstFailingSeedWithItsReplayKey() {
        ScheduleFailedException e = org.junit.jupiter.api.Assertions.assertThrows(ScheduleFailedException.class,
                () -> Exploration.of(() -> {
                    int n = lostUpdate();
                    if (n != 6) {
                        throw new AssertionError("lost update: " + n);
                    }
                    return n;
                }).schedules(20).config(QUIET).run());
        assertThat(e.getCause()).isInstanceOf(AssertionError.class).hasMessageContaining("lost update");
        assertThat(e.getMessage()).startsWith("[replay v1:random:0x");
        // The reported seed fails on its own.
        int again = runDet(Determinism.replay(e.replayKey()), DeterministicModeTest::lostUpdate, null);
        assertThat(again).isNotEqualTo(6);
        // A correct body passes every schedule.
        assertThat(Exploration.of(() -> 1).schedules(5).run()).isEqualTo(5);
        assertThatThrownBy(() -> Exploration.of(() -> 1).schedules(0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void greenRandomIsReproducibleInADeterministicRuntime() {
        Callable<List<Integer>> draw = () -> {
            List<Integer> out = new ArrayList<>();
            GreenHandle<Integer> other = Green.spawn(() -> Green.random().nextInt(1000));
            for (int i = 0; i < 5; i++) {
                out.add(Green.random().nextInt(1000));
            }
            out.add(other.join());
            return out;
        };
        List<Integer> a = runDet(Determinism.seed(11), draw, null);
        assertThat(runDet(Determinism.seed(11), draw, null)).isEqualTo(a);
        assertThat(runDet(Determinism.seed(12), draw, null)).isNotEqualTo(a);
        try (Verdant rt = Verdant.start(Config.builder().workers(1).build())) {
            assertThat(rt.run(() -> Green.random().nextInt(10))).isBetween(0, 9);
        }
    }

    @Test
    void metricsOfADeterministicRuntimeCountItsThreads() {
        try (Verdant rt = Verdant.deterministic(QUIET, Determinism.seed(14))) {
            rt.run(() -> Green.spawn(() -> 1).join());
            RuntimeMetrics m = rt.metrics();
            assertThat(m.workers()).isEmpty();
            assertThat(m.spawned()).isEqualTo(2);
        }
    }

    @Test
    void replayKeysParseAndRejectGarbage() {
        Determinism d = Determinism.replay("v1:random:0x2A");
        assertThat(d.seedValue()).isEqualTo(42);
        assertThat(d.strategy()).isEqualTo("random");
        assertThat(d.replayKey()).isEqualTo("v1:random:0x2A");
        assertThat(Determinism.seed(-1).replayKey()).isEqualTo("v1:random:0xFFFFFFFFFFFFFFFF");
        assertThat(Determinism.replay(Determinism.seed(-1).replayKey()).seedValue()).isEqualTo(-1);
        assertThatThrownBy(() -> Determinism.replay("v2:random:0x1")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("replayKey");
        assertThatThrownBy(() -> Determinism.replay("v1:pct:0x1")).isInstanceOf(IllegalArgumentException.class);
        try (Verdant normal = Verdant.start(Config.builder().workers(1).build())) {
            assertThatThrownBy(normal::trace).isInstanceOf(IllegalStateException.class);
        }
    }
}
