package io.verdant;

import io.verdant.internal.GreenThread;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Event actors: what is specific to them (the behaviour shared with green-thread actors is in ActorContractTest). */
@Timeout(60)
class EventActorTest {
    private Verdant rt;

    @BeforeEach
    void start() {
        rt = Verdant.start(Config.builder().workers(2).name("events").build());
    }

    @AfterEach
    void stop() {
        rt.close();
    }

    /** Counts messages until "stop"; the final state is the count. */
    private static Integer count(Integer n, Object msg) {
        if ("stop".equals(msg)) {
            Actors.stop();
            return n;
        }
        return n + 1;
    }

    @Test
    void stateIsThreadedThroughMessagesAndJoinReturnsTheFinalState() {
        GreenHandle<Integer> a = Actors.spawner(rt).name("counter").spawn(0, EventActorTest::count);
        for (int i = 0; i < 1000; i++) {
            assertThat(Green.send(a.pid(), "tick")).isTrue();
        }
        Green.send(a.pid(), "stop");
        assertThat(a.join(Duration.ofSeconds(10))).isEqualTo(1000);
        assertThat(a.state()).isEqualTo(GreenState.SUCCEEDED);
        assertThat(a.name()).isEqualTo("counter");
        assertThat(rt.isAlive(a.pid())).isFalse();
        assertThat(Green.send(a.pid(), "late")).isFalse();
    }

    @Test
    void selfAndSpawnInsideAHandlerActForTheActor() throws Exception {
        LinkedBlockingQueue<Object> out = new LinkedBlockingQueue<>();
        GreenHandle<Object> a = Actors.spawner(rt).spawn(null, (s, m) -> {
            out.add(Green.self());
            out.add(Actors.inHandler());
            GreenHandle<Pid> child = Green.spawn(Green::self);
            out.add(child.join());
            return s;
        });
        Green.send(a.pid(), "go");
        assertThat(out.poll(10, TimeUnit.SECONDS)).isEqualTo(a.pid());
        assertThat(out.poll(10, TimeUnit.SECONDS)).isEqualTo(true);
        assertThat(out.poll(10, TimeUnit.SECONDS)).isNotEqualTo(a.pid());
        assertThat(Actors.inHandler()).isFalse();
    }

    @Test
    void receiveInsideAHandlerIsRefusedNamingTheFixAndTakesNothing() throws Exception {
        // The handler of "go" tries every receive while "second" is already queued behind it:
        // each must fail with an IllegalStateException naming stash/unstash and Green.call,
        // and "second" must still reach the behavior (not be taken by the receive).
        LinkedBlockingQueue<Object> out = new LinkedBlockingQueue<>();
        CountDownLatch secondQueued = new CountDownLatch(1);
        List<Runnable> receives = List.of(
                Green::receive,
                () -> Green.receive(Duration.ofSeconds(5)),
                Green::tryReceive,
                () -> Green.receive(String.class),
                () -> Green.receive(m -> true));
        GreenHandle<Object> a = Actors.spawner(rt).spawn(null, (s, m) -> {
            if ("go".equals(m)) {
                assertThat(secondQueued.await(10, TimeUnit.SECONDS)).isTrue();
                for (Runnable r : receives) {
                    try {
                        r.run();
                        out.add("a receive returned");
                    } catch (Throwable t) {
                        out.add(t);
                    }
                }
            } else {
                out.add(m);
            }
            return s;
        });
        Green.send(a.pid(), "go");
        Green.send(a.pid(), "second");
        secondQueued.countDown();
        for (int i = 0; i < receives.size(); i++) {
            assertThat(out.poll(10, TimeUnit.SECONDS)).isInstanceOf(IllegalStateException.class)
                    .asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.THROWABLE)
                    .hasMessageContaining("event actor")
                    .hasMessageContaining("Actors.stash()")
                    .hasMessageContaining("Actors.unstashAll()")
                    .hasMessageContaining("Green.call");
        }
        assertThat(out.poll(10, TimeUnit.SECONDS)).isEqualTo("second");
        assertThat(rt.isAlive(a.pid())).isTrue();
    }

    @Test
    void aHandlerMayCallAnotherActorAndWaitForTheReply() throws Exception {
        // Green.call is the way to wait for a reply inside a handler: the reply bypasses the mailbox.
        record Twice(int n, ReplyTo<Integer> replyTo) {
        }
        GreenHandle<Object> doubler = Actors.spawner(rt).name("doubler").spawn(null, (s, m) -> {
            Twice d = (Twice) m;
            d.replyTo().reply(d.n() * 2);
            return s;
        });
        GreenHandle<Integer> asker = Actors.spawner(rt).name("asker").spawn(0, (Integer sum, Object m) -> {
            if ("stop".equals(m)) {
                Actors.stop();
                return sum;
            }
            int n = (Integer) m;
            // Two calls in one handler, several messages in one turn: each request makes the
            // doubler runnable from this handler, and this handler parks for each reply.
            int first = Green.call(doubler.pid(), (ReplyTo<Integer> r) -> new Twice(n, r), Duration.ofSeconds(10));
            int second = Green.call(doubler.pid(), (ReplyTo<Integer> r) -> new Twice(0, r), Duration.ofSeconds(10));
            return sum + first + second;
        });
        for (int i = 1; i <= 10; i++) {
            Green.send(asker.pid(), i);
        }
        Green.send(asker.pid(), "stop");
        assertThat(asker.join(Duration.ofSeconds(20))).isEqualTo(110);
        doubler.cancel();
    }

    @Test
    void handlerOpsOutsideAHandlerAreRefused() {
        assertThatThrownBy(Actors::stash).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(Actors::stop).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(Actors::unstashAll).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> Actors.spawn(0, (s, m) -> s)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> Actors.spawner(rt).throughput(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Actors.spawner(rt).spawn(0, null)).isInstanceOf(NullPointerException.class);
    }

    @Test
    void aThrowingHandlerFailsItsActorOnlyAndTheOthersGoOn() {
        GreenHandle<Integer> bad = Actors.spawner(rt).spawn(0, (s, m) -> {
            throw new IllegalStateException("boom");
        });
        GreenHandle<Integer> good = Actors.spawner(rt).spawn(0, EventActorTest::count);
        Green.send(bad.pid(), "x");
        assertThatThrownBy(() -> bad.join(Duration.ofSeconds(10))).isInstanceOf(GreenFailedException.class)
                .hasRootCauseMessage("boom");
        Green.send(good.pid(), "x");
        Green.send(good.pid(), "stop");
        assertThat(good.join(Duration.ofSeconds(10))).isEqualTo(1);
    }

    private static int recurse(int n) {
        return n == 0 ? 0 : 1 + recurse(n - 1) + recurse(0);
    }

    @Test
    void aStackOverflowInAHandlerFailsOnlyItsActor() {
        GreenHandle<Integer> deep = Actors.spawner(rt).spawn(0, (s, m) -> recurse(Integer.MAX_VALUE));
        Green.send(deep.pid(), "x");
        assertThatThrownBy(() -> deep.join(Duration.ofSeconds(30))).isInstanceOf(GreenFailedException.class)
                .hasCauseInstanceOf(StackOverflowError.class);
        GreenHandle<Integer> after = Actors.spawner(rt).spawn(0, EventActorTest::count);
        Green.send(after.pid(), "x");
        Green.send(after.pid(), "stop");
        assertThat(after.join(Duration.ofSeconds(10))).isEqualTo(1);
    }

    @Test
    void stashDefersMessagesUntilUnstashAll() {
        // Handles "b" messages only after "open"; stashed ones come back in order, before later mail.
        record St(boolean open, List<String> seen) {
        }
        GreenHandle<St> a = Actors.spawner(rt).spawn(new St(false, new ArrayList<>()), (s, m) -> {
            String msg = (String) m;
            if (msg.equals("stop")) {
                Actors.stop();
                return s;
            }
            if (msg.equals("open")) {
                assertThat(Actors.stashSize()).isEqualTo(3);
                assertThat(Actors.unstashAll()).isEqualTo(3);
                return new St(true, s.seen());
            }
            if (!s.open()) {
                Actors.stash();
                return s;
            }
            s.seen().add(msg);
            return s;
        });
        for (String m : List.of("b1", "b2", "b3", "open", "b4", "stop")) {
            Green.send(a.pid(), m);
        }
        assertThat(a.join(Duration.ofSeconds(10)).seen()).containsExactly("b1", "b2", "b3", "b4");
    }

    @Test
    void cancellingAnIdleActorEndsIt() {
        GreenHandle<Integer> a = Actors.spawner(rt).spawn(0, EventActorTest::count);
        a.cancel();
        assertThatThrownBy(() -> a.join(Duration.ofSeconds(10))).isInstanceOf(GreenFailedException.class)
                .hasCauseInstanceOf(CancelledException.class);
        assertThat(rt.isAlive(a.pid())).isFalse();
    }

    @Test
    void cancellingABlockedHandlerInterruptsItsBlockingCall() throws Exception {
        CountDownLatch inHandler = new CountDownLatch(1);
        GreenHandle<Object> a = Actors.spawner(rt).spawn(null, (s, m) -> {
            inHandler.countDown();
            Green.sleep(Duration.ofSeconds(60));
            return s;
        });
        Green.send(a.pid(), "sleep");
        assertThat(inHandler.await(10, TimeUnit.SECONDS)).isTrue();
        a.cancel();
        assertThatThrownBy(() -> a.join(Duration.ofSeconds(10))).isInstanceOf(GreenFailedException.class)
                .hasCauseInstanceOf(CancelledException.class);
        // The dispatcher that ran it is not left interrupted: the next handler sleeps undisturbed.
        GreenHandle<Object> b = Actors.spawner(rt).spawn(null, (s, m) -> {
            Green.sleep(Duration.ofMillis(20));
            Actors.stop();
            return "slept";
        });
        Green.send(b.pid(), "go");
        assertThat(b.join(Duration.ofSeconds(10))).isEqualTo("slept");
    }

    @Test
    void aBlockingHandlerDoesNotStallTenThousandBusyActors() throws Exception {
        // 10,000 actors, each receiving 20 messages; 1% of the handlers (every 100th message) sleep 10 ms.
        int actors = 10_000;
        int perActor = 20;
        AtomicLong handled = new AtomicLong();
        AtomicInteger blockedNow = new AtomicInteger();
        AtomicInteger maxBlockedAtOnce = new AtomicInteger();
        CountDownLatch done = new CountDownLatch(actors);
        List<Pid> pids = new ArrayList<>(actors);
        for (int i = 0; i < actors; i++) {
            pids.add(Actors.spawner(rt).spawn(0, (Integer n, Object m) -> {
                if (handled.incrementAndGet() % 100 == 0) {
                    maxBlockedAtOnce.accumulateAndGet(blockedNow.incrementAndGet(), Math::max);
                    Green.sleep(Duration.ofMillis(10));
                    blockedNow.decrementAndGet();
                }
                if (n + 1 == perActor) {
                    done.countDown();
                }
                return n + 1;
            }).pid());
        }
        long t0 = System.nanoTime();
        for (int r = 0; r < perActor; r++) {
            for (Pid p : pids) {
                Green.send(p, r);
            }
        }
        assertThat(done.await(30, TimeUnit.SECONDS)).isTrue();
        long ms = (System.nanoTime() - t0) / 1_000_000;
        // 2,000 sleeps of 10 ms: one after another they would take 20 s; overlapped they must not.
        assertThat(ms).as("elapsed ms").isLessThan(15_000);
        // More handlers parked at once than workers + 1 dispatchers: parked handlers got dispatchers of their own.
        assertThat(maxBlockedAtOnce.get()).as("handlers parked at the same time").isGreaterThan(3);
    }

    @Test
    void higherPriorityActorsAreServedFirst() throws Exception {
        try (Verdant one = Verdant.start(Config.builder().workers(1).name("prio").build())) {
            CopyOnWriteArrayList<String> order = new CopyOnWriteArrayList<>();
            AtomicBoolean release = new AtomicBoolean();
            CountDownLatch gateRunning = new CountDownLatch(1);
            // The gate spins (no safepoint) so the only dispatcher stays busy while the others queue up.
            GreenHandle<Object> gate = Actors.spawner(one).spawn(null, (s, m) -> {
                gateRunning.countDown();
                while (!release.get()) {
                    Thread.onSpinWait();
                }
                return s;
            });
            Green.send(gate.pid(), "go");
            assertThat(gateRunning.await(10, TimeUnit.SECONDS)).isTrue();
            List<Pid> low = new ArrayList<>();
            List<Pid> high = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                String tag = "low" + i;
                low.add(Actors.spawner(one).priority(Priority.LOW).spawn(null, (s, m) -> {
                    order.add(tag);
                    return s;
                }).pid());
            }
            for (int i = 0; i < 5; i++) {
                String tag = "high" + i;
                high.add(Actors.spawner(one).priority(Priority.HIGH).spawn(null, (s, m) -> {
                    order.add(tag);
                    return s;
                }).pid());
            }
            low.forEach(p -> Green.send(p, "m"));
            high.forEach(p -> Green.send(p, "m"));
            release.set(true);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (order.size() < 10 && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            assertThat(order).hasSize(10);
            assertThat(order.subList(0, 5)).allMatch(s -> s.startsWith("high"));
        }
    }

    @Test
    void aLongHandlerIsPreemptedAtItsSafepointsAndOthersRun() throws Exception {
        // No spare carriers: the other actor can only run if the long handler yields at a safepoint.
        try (Verdant one = Verdant.start(Config.builder().workers(1).maxSpareCarriers(0).name("slices").build())) {
            AtomicBoolean otherRan = new AtomicBoolean();
            CountDownLatch longRuns = new CountDownLatch(1);
            GreenHandle<Long> longOne = Actors.spawner(one).spawn(0L, (Long s, Object m) -> {
                longRuns.countDown();
                long spins = 0;
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                while (!otherRan.get()) {
                    if (System.nanoTime() > deadline) {
                        Actors.stop();
                        return -1L;   // never preempted: the other actor did not run while this one ran
                    }
                    spins++;
                    Green.checkpoint();
                }
                Actors.stop();
                return spins;
            });
            GreenHandle<Object> other = Actors.spawner(one).spawn(null, (s, m) -> {
                otherRan.set(true);
                return s;
            });
            Green.send(longOne.pid(), "run");
            assertThat(longRuns.await(20, TimeUnit.SECONDS)).as("the long handler started").isTrue();
            Green.send(other.pid(), "run"); // it can only run if the long handler is preempted
            assertThat(longOne.join(Duration.ofSeconds(30))).as("spins before the other actor ran").isNotNegative();
            assertThat(otherRan).isTrue();
        }
    }

    @Test
    void aDispatcherYieldsBetweenTurnsWhenPreemptionIsRequested() throws Exception {
        // Two actors ping-pong forever: every turn makes the other runnable, so their dispatcher
        // never runs out of work, and the handlers have no safepoint (a send polls none). On one
        // carrier with no spares, a green thread spawned beside them runs only if the dispatcher
        // yields between turns when the ticker asks it to.
        try (Verdant one = Verdant.start(Config.builder().workers(1).maxSpareCarriers(0).name("turns").build())) {
            AtomicBoolean stop = new AtomicBoolean();
            AtomicLong hops = new AtomicLong();
            Behavior<Object> bounce = (s, m) -> {
                hops.incrementAndGet();
                if (!stop.get()) {
                    Green.send((Pid) m, Green.self());
                }
                return s;
            };
            GreenHandle<Object> ping = Actors.spawner(one).name("ping").spawn(null, bounce);
            GreenHandle<Object> pong = Actors.spawner(one).name("pong").spawn(null, bounce);
            Green.send(ping.pid(), pong.pid());
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (hops.get() < 1000 && System.nanoTime() < until) {
                Thread.sleep(1);
            }
            assertThat(hops.get()).as("hops before the green thread is spawned").isGreaterThanOrEqualTo(1000);
            CountDownLatch ran = new CountDownLatch(1);
            AtomicLong hopsWhenRan = new AtomicLong();
            one.spawn(() -> {
                hopsWhenRan.set(hops.get());
                ran.countDown();
            });
            boolean greenRan = ran.await(20, TimeUnit.SECONDS);
            if (greenRan) {
                long resumed = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (hops.get() <= hopsWhenRan.get() + 100 && System.nanoTime() < resumed) {
                    Thread.sleep(1);
                }
            }
            long hopsAtEnd = hops.get();
            stop.set(true);
            assertThat(greenRan).as("the green thread ran while the actors were busy").isTrue();
            assertThat(hopsAtEnd).as("the ping-pong went on after the green thread ran")
                    .isGreaterThan(hopsWhenRan.get() + 100);
            ping.cancel();
            pong.cancel();
        }
    }

    /** A ring of event actors passing a counter 200 times, plus a handler that sleeps; the final count. */
    private static Integer ringWithASleeper() throws Exception {
        GreenHandle<Object> sleeper = Actors.spawn(null, (s, m) -> {
            Green.sleep(Duration.ofMillis(5));
            Green.send((Pid) m, "slept");
            return s;
        });
        Green.send(sleeper.pid(), Green.self());
        int size = 5;
        Pid[] ring = new Pid[size];
        Pid main = Green.self();
        for (int i = 0; i < size; i++) {
            int me = i;
            ring[i] = Actors.spawn(null, (s, m) -> {
                int hop = (Integer) m;
                Green.send(hop >= 200 ? main : ring[(me + 1) % size], hop + 1);
                return s;
            }).pid();
        }
        Green.send(ring[0], 0);
        Integer hops = Green.receive(Integer.class);
        assertThat(Green.receive(String.class)).isEqualTo("slept");
        return hops;
    }

    @Test
    void eventActorsRunInADeterministicRuntimeWithTheSameTraceForTheSameSeed() {
        List<ScheduleTrace> traces = new ArrayList<>();
        List<Integer> results = new ArrayList<>();
        for (int run = 0; run < 2; run++) {
            try (Verdant det = Verdant.deterministic(Config.builder().build(), Determinism.seed(0x17))) {
                results.add(det.run(EventActorTest::ringWithASleeper));
                traces.add(det.trace());
            }
        }
        assertThat(results).containsExactly(201, 201);
        assertThat(traces.get(1).hash()).isEqualTo(traces.get(0).hash());
        assertThat(traces.get(1).virtualNanos()).isEqualTo(traces.get(0).virtualNanos());
    }

    @Test
    void registryRefsAndTimersReachAnEventActor() throws Exception {
        GreenHandle<Integer> a = Actors.spawner(rt).spawn(0, EventActorTest::count);
        rt.registry().register("counter", a.pid());
        assertThat(rt.registry().send("counter", "tick")).isTrue();
        assertThat(Ref.of(a.pid(), String.class).send("tick")).isTrue();
        Green.sendAfter(a.pid(), "stop", Duration.ofMillis(20));
        assertThat(a.join(Duration.ofSeconds(10))).isEqualTo(2);
        // The name goes when the actor ends.
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (rt.registry().whereis("counter").isPresent() && System.nanoTime() < until) {
            Thread.sleep(1);
        }
        assertThat(rt.registry().whereis("counter")).isEmpty();
    }

    @Test
    void snapshotsAndDumpsShowEventActors() throws Exception {
        GreenHandle<Integer> idle = Actors.spawner(rt).name("idle-one").priority(Priority.HIGH)
                .spawn(0, EventActorTest::count);
        CountDownLatch inHandler = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        GreenHandle<Object> busy = Actors.spawner(rt).name("busy-one").spawn(null, (s, m) -> {
            inHandler.countDown();
            release.await();
            return s;
        });
        Green.send(busy.pid(), "first");
        assertThat(inHandler.await(10, TimeUnit.SECONDS)).isTrue();
        Green.send(busy.pid(), "second");   // queued behind the running handler
        try {
            GreenThreadInfo i = rt.snapshot().find(idle.pid()).orElseThrow();
            assertThat(i.name()).isEqualTo("idle-one");
            assertThat(i.priority()).isEqualTo(Priority.HIGH);
            assertThat(i.state()).isEqualTo(GreenState.WAITING);
            assertThat(i.waitReason()).contains("idle event actor");
            assertThat(i.jdkThreadId()).isEqualTo(GreenThreadInfo.NO_JDK_THREAD);
            // Its handler blocks (in CountDownLatch.await): WAITING, on the handler's blocker,
            // once it has parked there (it counted inHandler down just before).
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            GreenThreadInfo b = rt.snapshot().find(busy.pid()).orElseThrow();
            while (b.state() != GreenState.WAITING && System.nanoTime() < until) {
                Thread.sleep(1);
                b = rt.snapshot().find(busy.pid()).orElseThrow();
            }
            assertThat(b.state()).isEqualTo(GreenState.WAITING);
            assertThat(b.waitReason()).contains("CountDownLatch");
            assertThat(b.mailboxDepth()).isEqualTo(1);
            StringBuilder text = new StringBuilder();
            rt.dump(text, DumpOptions.text());
            assertThat(text).contains("idle-one").contains("busy-one");
            StringBuilder json = new StringBuilder();
            rt.dump(json, DumpOptions.json());
            assertThat(json).contains("\"idle-one\"").contains("\"busy-one\"");
        } finally {
            release.countDown();
        }
    }

    @Test
    void sendsFromManyThreadsAreAllHandled() throws Exception {
        int senders = 4;
        int each = 20_000;
        GreenHandle<Integer> a = Actors.spawner(rt).spawn(0, EventActorTest::count);
        List<GreenHandle<Void>> hs = new ArrayList<>();
        for (int s = 0; s < senders; s++) {
            hs.add(rt.spawn(() -> {
                for (int i = 0; i < each; i++) {
                    Green.send(a.pid(), i);
                }
            }));
        }
        Thread platform = new Thread(() -> {
            for (int i = 0; i < each; i++) {
                Green.send(a.pid(), i);
            }
        });
        platform.start();
        Green.joinAll(hs);
        platform.join();
        Green.send(a.pid(), "stop");
        assertThat(a.join(Duration.ofSeconds(20))).isEqualTo((senders + 1) * each);
    }

    @Test
    void aHandlerIsTheCurrentGreenThreadForCancellationChecks() throws Exception {
        LinkedBlockingQueue<Boolean> out = new LinkedBlockingQueue<>();
        GreenHandle<Object> a = Actors.spawner(rt).spawn(null, (s, m) -> {
            out.add(GreenThread.current() != null && Green.self().equals(GreenThread.current().pid()));
            out.add(Green.cancelled());
            return s;
        });
        Green.send(a.pid(), "x");
        assertThat(out.poll(10, TimeUnit.SECONDS)).isTrue();
        assertThat(out.poll(10, TimeUnit.SECONDS)).isFalse();
    }
}
