package io.verdant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

import static io.verdant.StallTest.waitUntil;
import static org.assertj.core.api.Assertions.assertThat;

/** {@link Verdant#snapshot()}: threads put in known states are reported in them. */
@Timeout(60)
class SnapshotTest {
    static GreenThreadInfo info(Verdant rt, Pid pid) {
        return rt.snapshot().find(pid).orElseThrow(() -> new AssertionError(pid + " not in snapshot"));
    }

    @Test
    void namesTheBlockerHolderMailboxDepthParentAndSupervisor() throws Exception {
        try (Verdant rt = Verdant.start(Config.builder().workers(2).name("snap").build())) {
            Mutex<Integer> mutex = new Mutex<>(0);
            Channel<String> channel = Channel.bounded(64);
            CountDownLatch locked = new CountDownLatch(1);
            AtomicReference<Pid> parentPid = new AtomicReference<>();
            AtomicReference<GreenHandle<Object>> holderRef = new AtomicReference<>();
            AtomicReference<GreenHandle<Object>> lockerRef = new AtomicReference<>();
            AtomicReference<GreenHandle<String>> chanRef = new AtomicReference<>();
            AtomicReference<GreenHandle<String>> mailRef = new AtomicReference<>();
            GreenHandle<Object> parent = rt.spawner().name("parent").spawn(() -> {
                parentPid.set(Green.self());
                GreenHandle<Object> holder = Green.spawner().name("holder").spawn(() -> {
                    try (Mutex.Guard<Integer> g = mutex.lock(Duration.ofSeconds(30))) {
                        locked.countDown();
                        Object m = Green.receive();
                        return g.get() + ":" + m;
                    }
                });
                holderRef.set(holder);
                locked.await();
                lockerRef.set(Green.spawner().name("locker").spawn(() -> {
                    try (Mutex.Guard<Integer> g = mutex.lock(Duration.ofSeconds(30))) {
                        return g.get();
                    }
                }));
                chanRef.set(Green.spawner().name("chan").spawn(() -> channel.receive()));
                mailRef.set(Green.spawner().name("mail").spawn(() -> Green.receive(String.class)));
                return holder.join();
            });
            waitUntil(() -> mailRef.get() != null);
            GreenHandle<String> mail = mailRef.get();
            for (int i = 0; i < 3; i++) {
                assertThat(Green.send(mail.pid(), i)).isTrue();
            }
            GreenHandle<Object> holder = holderRef.get();
            GreenHandle<Object> locker = lockerRef.get();
            GreenHandle<String> chan = chanRef.get();
            // The holder too: it counts locked down before its receive, and its carrier (one of two)
            // may be descheduled there while the other runs everything else.
            waitUntil(() -> locker.state() == GreenState.WAITING && chan.state() == GreenState.WAITING
                    && parent.state() == GreenState.WAITING && holder.state() == GreenState.WAITING);
            waitUntil(() -> info(rt, mail.pid()).mailboxDepth() == 3 && mail.state() == GreenState.WAITING);

            GreenThreadInfo l = info(rt, locker.pid());
            assertThat(l.name()).isEqualTo("locker");
            assertThat(l.state()).isEqualTo(GreenState.WAITING);
            assertThat(l.waitReason()).startsWith("Mutex.lock #").endsWith("held by " + holder.pid() + " 'holder'");
            assertThat(l.waitingFor()).isEqualTo(holder.pid());
            assertThat(l.parent()).isEqualTo(parentPid.get());
            assertThat(l.priority()).isEqualTo(Priority.NORMAL);
            assertThat(l.jdkThreadId()).isPositive();

            GreenThreadInfo p = info(rt, parent.pid());
            assertThat(p.waitReason()).isEqualTo("join " + holder.pid() + " 'holder'");
            assertThat(p.waitingFor()).isEqualTo(holder.pid());
            assertThat(p.parent()).isNull();

            GreenThreadInfo h = info(rt, holder.pid());
            assertThat(h.waitReason()).isEqualTo("receive (mailbox)");
            assertThat(h.mailboxDepth()).isZero();

            assertThat(info(rt, chan.pid()).waitReason()).startsWith("Channel#").contains("bounded(64)");
            GreenThreadInfo m = info(rt, mail.pid());
            assertThat(m.mailboxDepth()).isEqualTo(3);
            assertThat(m.waitReason()).isEqualTo("receive (mailbox)");
            assertThat(m.timeWaiting()).isGreaterThanOrEqualTo(Duration.ZERO);

            Green.send(holder.pid(), "release");
            channel.send("x");
            Green.send(mail.pid(), "done");
            assertThat(locker.join(Duration.ofSeconds(20))).isEqualTo(0);
            parent.join(Duration.ofSeconds(20));
        }
    }

    @Test
    void aSleepingThreadsWaitReasonSaysHowLongItSleeps() throws Exception {
        try (Verdant rt = Verdant.start(Config.builder().workers(1).name("snap-sleep").build())) {
            GreenHandle<Void> sleeper = rt.spawn(() -> {
                Green.sleep(Duration.ofSeconds(30));
                return null;
            });
            waitUntil(() -> info(rt, sleeper.pid()).state() == GreenState.WAITING);
            assertThat(info(rt, sleeper.pid()).waitReason()).isEqualTo("sleep 30 s");
            sleeper.cancel();
        }
    }

    @Test
    void supervisedChildrenNameTheirSupervisor() throws Exception {
        try (Verdant rt = Verdant.start(Config.builder().workers(2).name("snap-sup").build())) {
            Supervisor sup = Supervisor.builder().name("app")
                    .child(Supervisor.ChildSpec.of("db", () -> {
                        Green.receive();
                    })).start(rt);
            Pid db = sup.child("db").orElseThrow();
            waitUntil(() -> info(rt, db).state() == GreenState.WAITING);
            GreenThreadInfo i = info(rt, db);
            assertThat(i.supervisor()).isEqualTo(sup.pid());
            assertThat(i.childName()).isEqualTo("db");
            assertThat(info(rt, sup.pid()).supervisor()).isNull();
            sup.shutdown();
        }
    }

    /**
     * An event actor whose handler holds a mutex and blocks: the handler runs on a
     * dispatcher green thread, which is what the JDK sees park and hold the lock, but
     * the wait is the actor's. The mutex's waiter was shown waiting for the
     * dispatcher ("held by ... 'verdant-dispatcher'"), and the actor as RUNNING with
     * no reason.
     */
    @Test
    void anEventActorBlockedInItsHandlerIsTheHolderAndTheWaiter() throws Exception {
        try (Verdant rt = Verdant.start(Config.builder().workers(1).name("snap-actor").build())) {
            Mutex<Integer> m = new Mutex<>(0);
            Channel<Integer> gate = Channel.rendezvous();
            CountDownLatch held = new CountDownLatch(1);
            GreenHandle<Integer> actor = Actors.spawner(rt).name("holder").spawn(0, (s, msg) -> {
                try (Mutex.Guard<Integer> g = m.lock(Duration.ofSeconds(30))) {
                    held.countDown();
                    g.set(g.get() + gate.receive());
                }
                return s;
            });
            rt.run(() -> Green.send(actor.pid(), "go"));
            assertThat(held.await(20, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            GreenHandle<Integer> waiter = rt.spawner().name("waiter").spawn(() -> {
                try (Mutex.Guard<Integer> g = m.lock(Duration.ofSeconds(30))) {
                    return g.get();
                }
            });
            waitUntil(() -> waiter.state() == GreenState.WAITING);
            GreenThreadInfo w = info(rt, waiter.pid());
            assertThat(w.waitReason()).startsWith("Mutex.lock #").endsWith(" held by " + actor.pid() + " 'holder'");
            assertThat(w.waitingFor()).isEqualTo(actor.pid());
            GreenThreadInfo a = info(rt, actor.pid());
            assertThat(a.state()).isEqualTo(GreenState.WAITING);
            assertThat(a.waitReason()).startsWith("Channel#");
            rt.run(() -> gate.send(1));
            assertThat(waiter.join(Duration.ofSeconds(20))).isEqualTo(1);
            actor.cancel();
        }
    }

    /**
     * A thread that runs right after the whole runtime was idle: its time waiting
     * counts from that slice, not from when the runtime went idle. The slice's end is
     * stamped from the ticker's coarse clock, which the ticker does not advance while
     * it sleeps idle; the woken carrier ran the slice before the ticker woke and
     * advanced it, so the stamp was as old as the idle period.
     */
    @Test
    void timeWaitingAfterAnIdlePeriodCountsFromTheLastSlice() throws Exception {
        try (Verdant rt = Verdant.start(Config.builder().workers(1).name("snap-idle").build())) {
            Thread ticker = rt.run(() -> io.verdant.internal.GreenThread.current().runtime().scheduler.ticker());
            java.util.concurrent.atomic.AtomicInteger handled = new java.util.concurrent.atomic.AtomicInteger();
            GreenHandle<Void> echo = rt.spawner().name("echo").spawn(() -> {
                for (;;) {
                    Green.receive();
                    handled.incrementAndGet();
                }
            });
            waitUntil(() -> echo.state() == GreenState.WAITING);
            // Five rounds (the carrier does not always run the slice before the ticker wakes).
            for (int round = 1; round <= 5; round++) {
                // The runtime goes idle: no timer is armed, so the ticker sleeps without a timeout.
                waitUntil(() -> ticker.getState() == Thread.State.WAITING);
                long idleSince = System.nanoTime();
                while (System.nanoTime() - idleSince < Duration.ofMillis(100).toNanos()) {
                    java.util.concurrent.locks.LockSupport.parkNanos(Duration.ofMillis(100).toNanos());
                }
                assertThat(ticker.getState()).as("the ticker slept through the idle period")
                        .isEqualTo(Thread.State.WAITING);
                long sent = System.nanoTime();
                rt.run(() -> Green.send(echo.pid(), "wake"));
                int n = round;
                waitUntil(() -> handled.get() == n && echo.state() == GreenState.WAITING);
                GreenThreadInfo i = info(rt, echo.pid());
                Duration sinceSend = Duration.ofNanos(System.nanoTime() - sent);
                // Stamps are coarse (about 1 ms units, a tick stale at most): a few ms of slack.
                assertThat(i.timeWaiting()).as("round " + round).isLessThanOrEqualTo(sinceSend.plusMillis(5));
            }
            echo.cancel();
        }
    }

    @Test
    void aSpinningThreadIsRunningAndAccumulatesSampledRunTime() throws Exception {
        try (Verdant rt = Verdant.start(Config.builder().workers(1).name("snap-run").build())) {
            AtomicBoolean stop = new AtomicBoolean();
            GreenHandle<Void> spinner = rt.spawner().name("spinner").spawn(() -> {
                long end = System.nanoTime() + Duration.ofMillis(200).toNanos();
                while (System.nanoTime() < end || !stop.get()) {
                    Green.checkpoint();
                }
            });
            waitUntil(() -> spinner.state() == GreenState.RUNNING);
            GreenThreadInfo running = info(rt, spinner.pid());
            assertThat(running.state()).isEqualTo(GreenState.RUNNING);
            assertThat(running.carrier()).isEqualTo("snap-run-carrier-0");
            assertThat(running.timeWaiting()).isEqualTo(Duration.ZERO);
            waitUntil(() -> info(rt, spinner.pid()).runTime().toMillis() >= 20); // the sampler credits it
            stop.set(true);
            spinner.join(Duration.ofSeconds(20));
            assertThat(rt.snapshot().find(spinner.pid())).isEmpty();
            RuntimeSnapshot s = rt.snapshot();
            assertThat(s.runtime()).isEqualTo("snap-run");
            assertThat(s.top(t -> t.runTime().toNanos(), 5)).hasSizeLessThanOrEqualTo(5);
        }
    }

    @Test
    void exactCpuTimingMeasuresSlices() throws Exception {
        try (Verdant rt = Verdant.start(Config.builder().workers(1).name("snap-cpu").cpuTiming(true).build())) {
            GreenHandle<Void> worker = rt.spawn(() -> {
                long end = System.nanoTime() + Duration.ofMillis(50).toNanos();
                while (System.nanoTime() < end) {
                    Green.checkpoint();
                }
                Green.receive();
            });
            waitUntil(() -> worker.state() == GreenState.WAITING);
            assertThat(info(rt, worker.pid()).runTime()).isGreaterThanOrEqualTo(Duration.ofMillis(50));
            Green.send(worker.pid(), "go");
            worker.join(Duration.ofSeconds(20));
        }
    }

    /** A user's blocker in the io.verdant package whose toString shows a message. */
    static final class Holding {
        @Override
        public String toString() {
            return "Holding[secret-payload]";
        }
    }

    /** A user's blocker whose toString throws. */
    static final class Throwing {
        @Override
        public String toString() {
            throw new IllegalStateException("toString failed");
        }
    }

    /**
     * Threads parked (LockSupport) on a user's objects in the io.verdant package: the
     * wait reason names the class, never the object's toString (which could print a
     * message's contents), and a toString that throws does not make snapshot() or
     * dump() throw.
     */
    @Test
    void aUsersBlockerInAnIoVerdantPackageIsNamedByClassAndNeverBreaksASnapshot() throws Exception {
        try (Verdant rt = Verdant.start(Config.builder().workers(1).name("snap-user-blocker").build())) {
            AtomicBoolean release = new AtomicBoolean();
            Object holding = new Holding();
            Object throwing = new Throwing();
            GreenHandle<Void> a = rt.spawner().name("holding").spawn(() -> {
                while (!release.get() && !Green.cancelled()) {
                    LockSupport.park(holding);
                }
                return null;
            });
            GreenHandle<Void> b = rt.spawner().name("throwing").spawn(() -> {
                while (!release.get() && !Green.cancelled()) {
                    LockSupport.park(throwing);
                }
                return null;
            });
            try {
                waitUntil(() -> rt.snapshot().find(a.pid()).map(i -> i.waitReason().equals(Holding.class.getName()))
                        .orElse(false));
                waitUntil(() -> rt.snapshot().find(b.pid()).map(i -> i.waitReason().equals(Throwing.class.getName()))
                        .orElse(false));
                StringBuilder dump = new StringBuilder();
                rt.dump(dump, DumpOptions.text());
                assertThat(dump).contains(Holding.class.getName()).contains(Throwing.class.getName())
                        .doesNotContain("secret-payload");
            } finally {
                release.set(true);
                a.cancel();
                b.cancel();
                a.join(Duration.ofSeconds(20));
                b.join(Duration.ofSeconds(20));
            }
        }
    }

    /**
     * A thread waiting at the end of its {@code Green.scope} for the children still
     * running names the scope: its owner and how many children run. It named an
     * internal class by its identity hash ("io.verdant.internal.ScopeCore@6d06d69c").
     */
    @Test
    void aScopeOwnerWaitingForItsChildrenNamesTheScope() throws Exception {
        try (Verdant rt = Verdant.start(Config.builder().workers(1).name("snap-scope").build())) {
            CountDownLatch forked = new CountDownLatch(1);
            AtomicReference<Pid> child = new AtomicReference<>();
            GreenHandle<Object> owner = rt.spawner().name("owner").spawn(() -> Green.scope(scope -> {
                child.set(scope.spawn(() -> Green.receive()).pid());
                forked.countDown();
                return "done";
            }));
            forked.await();
            waitUntil(() -> owner.state() == GreenState.WAITING && info(rt, owner.pid()).waitReason().length() > 0);
            assertThat(info(rt, owner.pid()).waitReason()).isEqualTo("Scope[owner " + owner.pid() + ", 1 running]");
            Green.send(child.get(), "bye");
            assertThat(owner.join(Duration.ofSeconds(20))).isEqualTo("done");
        }
    }

    /**
     * An event actor whose handler runs is RUNNING with the carrier that runs it (its
     * dispatcher's), as {@link GreenThreadInfo#carrier()} says of every RUNNING thread.
     * It was RUNNING with no carrier.
     */
    @Test
    void aRunningEventActorNamesItsCarrier() throws Exception {
        try (Verdant rt = Verdant.start(Config.builder().workers(1).name("snap-actor-run").build())) {
            AtomicBoolean stop = new AtomicBoolean();
            GreenHandle<Integer> actor = Actors.spawner(rt).name("busy").spawn(0, (s, msg) -> {
                while (!stop.get()) {
                    Green.checkpoint();
                }
                return s;
            });
            try {
                assertThat(Green.send(actor.pid(), "go")).isTrue();
                waitUntil(() -> info(rt, actor.pid()).state() == GreenState.RUNNING);
                GreenThreadInfo a = rt.snapshot().find(actor.pid()).orElseThrow();
                if (a.state() == GreenState.RUNNING) { // still in its turn (a preemption makes it RUNNABLE)
                    assertThat(a.carrier()).isEqualTo("snap-actor-run-carrier-0");
                }
                waitUntil(() -> {
                    GreenThreadInfo i = info(rt, actor.pid());
                    return i.state() == GreenState.RUNNING && "snap-actor-run-carrier-0".equals(i.carrier());
                });
            } finally {
                stop.set(true);
            }
            actor.cancel();
        }
    }

    /**
     * An event actor's time waiting counts from the end of its last turn while it is
     * idle, and from its handler's park while that handler blocks. It was always zero.
     */
    @Test
    void anEventActorShowsHowLongItHasWaited() throws Exception {
        try (Verdant rt = Verdant.start(Config.builder().workers(1).name("snap-actor-wait").build())) {
            CountDownLatch first = new CountDownLatch(1);
            CountDownLatch blocked = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            GreenHandle<Integer> actor = rt.run(() -> Actors.spawn(0, (n, m) -> {
                if (m.equals("block")) {
                    blocked.countDown();
                    release.await();
                } else {
                    first.countDown();
                }
                return n + 1;
            }));
            try {
                long sent = System.nanoTime();
                assertThat(rt.send(actor.pid(), "one")).isTrue();
                first.await();
                waitUntil(() -> info(rt, actor.pid()).state() == GreenState.WAITING);
                long idleFrom = System.nanoTime();
                while (System.nanoTime() - idleFrom < Duration.ofMillis(200).toNanos()) {
                    LockSupport.parkNanos(Duration.ofMillis(200).toNanos()); // the time to be measured
                }
                GreenThreadInfo idle = info(rt, actor.pid());
                assertThat(idle.waitReason()).isEqualTo("idle event actor (waits for a message)");
                // Stamps are coarse (about 1 ms units, a tick or more stale on a loaded machine): slack.
                assertThat(idle.timeWaiting()).isGreaterThanOrEqualTo(Duration.ofMillis(150))
                        .isLessThanOrEqualTo(Duration.ofNanos(System.nanoTime() - sent).plusMillis(100));

                long sentBlock = System.nanoTime();
                assertThat(rt.send(actor.pid(), "block")).isTrue();
                blocked.await();
                // One snapshot, the one the wait saw: a later one is later still.
                java.util.concurrent.atomic.AtomicReference<GreenThreadInfo> seen = new java.util.concurrent.atomic.AtomicReference<>();
                waitUntil(() -> {
                    GreenThreadInfo i = info(rt, actor.pid());
                    seen.set(i);
                    return !i.waitReason().startsWith("idle") && i.state() == GreenState.WAITING;
                });
                long sinceSend = System.nanoTime() - sentBlock;
                GreenThreadInfo inHandler = seen.get();
                assertThat(inHandler.waitReason()).startsWith("java.util.concurrent");
                // Its last turn ended over 200 ms before the send; its handler parked after the send. Not
                // within 150 ms of the park: this thread, descheduled under load, may take its snapshot later.
                assertThat(inHandler.timeWaiting()).as("since its handler blocked, not since its last turn")
                        .isLessThan(Duration.ofNanos(sinceSend).plusMillis(150));
            } finally {
                release.countDown();
            }
            actor.cancel();
        }
    }

    /**
     * An event actor's run time is its handlers' time on a carrier, sampled or, with
     * cpuTiming, measured; it was always zero (the time went to its dispatcher).
     */
    @Test
    void anEventActorsRunTimeIsItsHandlersTime() throws Exception {
        try (Verdant rt = Verdant.start(Config.builder().workers(1).name("snap-actor-sampled")
                .stallThreshold(Duration.ofSeconds(10)).build())) {
            AtomicBoolean stop = new AtomicBoolean();
            GreenHandle<Integer> actor = rt.run(() -> Actors.spawn(0, (n, m) -> {
                while (!stop.get()) {
                    Green.checkpoint();
                }
                return n + 1;
            }));
            try {
                assertThat(rt.send(actor.pid(), "spin")).isTrue();
                waitUntil(() -> info(rt, actor.pid()).runTime().toMillis() >= 20); // the sampler credits it
            } finally {
                stop.set(true);
            }
            actor.cancel();
        }
        try (Verdant rt = Verdant.start(Config.builder().workers(1).name("snap-actor-measured").cpuTiming(true)
                .stallThreshold(Duration.ofSeconds(10)).build())) {
            CountDownLatch done = new CountDownLatch(1);
            GreenHandle<Integer> actor = rt.run(() -> Actors.spawn(0, (n, m) -> {
                long end = System.nanoTime() + Duration.ofMillis(100).toNanos();
                while (System.nanoTime() < end) {
                    Green.checkpoint();
                }
                done.countDown();
                return n + 1;
            }));
            assertThat(rt.send(actor.pid(), "spin")).isTrue();
            done.await();
            waitUntil(() -> info(rt, actor.pid()).state() == GreenState.WAITING);
            assertThat(info(rt, actor.pid()).runTime()).isGreaterThanOrEqualTo(Duration.ofMillis(100));
            actor.cancel();
        }
    }

    /**
     * A dispatcher is the runtime's, not a child of the green thread whose send
     * happened to start it: it has no parent (it was shown as that thread's child).
     */
    @Test
    void anEventActorDispatcherHasNoParent() throws Exception {
        try (Verdant rt = Verdant.start(Config.builder().workers(1).name("snap-dispatcher-parent").build())) {
            CountDownLatch handled = new CountDownLatch(1);
            GreenHandle<Pid> sender = rt.spawner().name("sender").spawn(() -> {
                GreenHandle<Integer> actor = Actors.spawn(0, (n, m) -> {
                    handled.countDown();
                    return n + 1;
                });
                Green.send(actor.pid(), "first"); // starts the runtime's first dispatcher
                handled.await();
                return actor.pid();
            });
            sender.join(Duration.ofSeconds(20));
            GreenThreadInfo dispatcher = rt.snapshot().threads().stream()
                    .filter(t -> t.name().equals("verdant-dispatcher")).findFirst().orElseThrow();
            assertThat(dispatcher.parent()).as("parent of the dispatcher").isNull();
        }
    }

    /**
     * An event actor's parent is the green thread (or event actor) that spawned it, as a
     * thread's is; it was always null.
     */
    @Test
    void anEventActorsParentIsItsSpawner() throws Exception {
        try (Verdant rt = Verdant.start(Config.builder().workers(1).name("snap-actor-parent").build())) {
            java.util.concurrent.atomic.AtomicReference<Pid> child = new java.util.concurrent.atomic.AtomicReference<>();
            CountDownLatch spawned = new CountDownLatch(1);
            GreenHandle<Pid> spawner = rt.spawner().name("spawner").spawn(() -> {
                GreenHandle<Integer> actor = Actors.spawn(0, (n, m) -> {
                    child.set(Actors.spawn(0, (k, x) -> k).pid()); // spawned in the actor's handler
                    spawned.countDown();
                    return n + 1;
                });
                Green.send(actor.pid(), "spawn");
                spawned.await();
                return actor.pid();
            });
            Pid actor = spawner.join(Duration.ofSeconds(20));
            assertThat(info(rt, actor).parent()).as("parent of an actor a green thread spawned")
                    .isEqualTo(spawner.pid());
            assertThat(info(rt, child.get()).parent()).as("parent of an actor an actor's handler spawned")
                    .isEqualTo(actor);
        }
    }
}
