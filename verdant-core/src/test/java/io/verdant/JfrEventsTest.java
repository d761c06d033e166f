package io.verdant;

import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import jdk.jfr.consumer.RecordingStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static io.verdant.StallTest.waitUntil;
import static org.assertj.core.api.Assertions.assertThat;

/** Verdant's JFR events, recorded in process and read back with RecordingFile. */
@Timeout(90)
class JfrEventsTest {
    static final List<String> RARE = List.of("io.verdant.Preemption", "io.verdant.Stall", "io.verdant.SpareCarrier",
            "io.verdant.SupervisorRestart", "io.verdant.SupervisorGaveUp", "io.verdant.DeadLetter",
            "io.verdant.MutexWait");

    static List<RecordedEvent> verdantEvents(Path file) throws Exception {
        return RecordingFile.readAllEvents(file).stream()
                .filter(e -> e.getEventType().getName().startsWith("io.verdant.")).toList();
    }

    @Test
    void aProgramThatPreemptsStallsAndRestartsAChildRecordsExactlyThoseEvents(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("verdant.jfr");
        java.util.concurrent.CountDownLatch stallSeen = new java.util.concurrent.CountDownLatch(1);
        try (Recording rec = new Recording(); jdk.jfr.consumer.RecordingStream live = new jdk.jfr.consumer.RecordingStream()) {
            live.enable("io.verdant.Stall");
            live.onEvent("io.verdant.Stall", e -> stallSeen.countDown());
            live.startAsync();
            for (String name : RARE) {
                rec.enable(name);
            }
            rec.disable("io.verdant.RuntimeStatistics");
            rec.disable("io.verdant.WorkerStatistics");
            rec.start();
            // No stall reports here: the two spinners reach safepoints, but a loaded OS can hold
            // the carrier off its core past the 100 ms default threshold while the other waits,
            // and that stall (and its spare) would be events this test does not expect.
            try (Verdant rt = Verdant.start(Config.builder().workers(1).name("jfr-preempt")
                    .timeslice(Duration.ofMillis(2)).stallThreshold(Duration.ofHours(1)).build())) {
                AtomicBoolean stop = new AtomicBoolean();
                GreenHandle<Void> a = rt.spawn(() -> spinWithCheckpoints(stop));
                GreenHandle<Void> b = rt.spawn(() -> spinWithCheckpoints(stop));
                waitUntil(() -> rt.metrics().preemptionsHonored() >= 3);
                stop.set(true);
                a.join(Duration.ofSeconds(20));
                b.join(Duration.ofSeconds(20));

                AtomicInteger starts = new AtomicInteger();
                Supervisor sup = Supervisor.builder().name("jfr-sup")
                        .child(Supervisor.ChildSpec.of("flaky", () -> {
                            if (starts.incrementAndGet() == 1) {
                                throw new IllegalStateException("first start fails");
                            }
                            Green.receive();
                        })).start(rt);
                waitUntil(() -> starts.get() == 2);
                sup.shutdown();
            }
            try (Verdant rt = Verdant.start(Config.builder().workers(1).name("jfr-stall")
                    .stallThreshold(Duration.ofMillis(100)).build())) {
                AtomicBoolean stop = new AtomicBoolean();
                GreenHandle<Long> looper = rt.spawner().name("looper").spawn(() -> StallTest.spinWithoutSafepoint(stop));
                try {
                    waitUntil(() -> looper.state() == GreenState.RUNNING);
                    assertThat(rt.spawn(() -> 1).join(Duration.ofSeconds(20))).isEqualTo(1);
                    // The stall event is committed by a short-lived reporter thread, which takes
                    // the looper's stack: keep it looping until that thread is done.
                    waitUntil(() -> stallSeen.getCount() == 0);
                } finally {
                    stop.set(true);
                }
                looper.join(Duration.ofSeconds(20));
                // A tick that sees the carrier back retires the spare; a spawn makes sure the
                // ticker is not asleep (an idle runtime with no timers has no ticks).
                waitUntil(() -> {
                    rt.spawn(() -> 0);
                    return rt.metrics().sparesAlive() == 0;
                });
            }
            rec.stop();
            rec.dump(file);
        }
        List<RecordedEvent> events = verdantEvents(file);
        Set<String> types = new TreeSet<>();
        events.forEach(e -> types.add(e.getEventType().getName()));
        assertThat(types).containsExactly("io.verdant.Preemption", "io.verdant.SpareCarrier", "io.verdant.Stall",
                "io.verdant.SupervisorRestart");

        List<RecordedEvent> preemptions = of(events, "io.verdant.Preemption");
        assertThat(preemptions).isNotEmpty().allMatch(e -> e.getString("runtime").equals("jfr-preempt"));
        // Committed by the preempted thread: its stack shows the loop that yielded.
        assertThat(preemptions.get(0).getStackTrace().getFrames())
                .anyMatch(f -> f.getMethod().getName().equals("spinWithCheckpoints"));

        List<RecordedEvent> stalls = of(events, "io.verdant.Stall");
        assertThat(stalls).hasSize(1);
        assertThat(stalls.get(0).getString("name")).isEqualTo("looper");
        assertThat(stalls.get(0).getString("carrier")).isEqualTo("jfr-stall-carrier-0");
        assertThat(stalls.get(0).getString("stack")).contains("spinWithoutSafepoint");
        assertThat(stalls.get(0).getDuration("held")).isGreaterThanOrEqualTo(Duration.ofMillis(100));

        List<RecordedEvent> spares = of(events, "io.verdant.SpareCarrier");
        assertThat(spares).extracting(e -> e.getBoolean("started")).containsExactly(true, false);
        assertThat(spares).allMatch(e -> e.getString("spare").equals("jfr-stall-spare-0"));

        List<RecordedEvent> restarts = of(events, "io.verdant.SupervisorRestart");
        assertThat(restarts).hasSize(1);
        assertThat(restarts.get(0).getString("supervisor")).isEqualTo("jfr-sup");
        assertThat(restarts.get(0).getString("child")).isEqualTo("flaky");
        assertThat(restarts.get(0).getString("cause")).isEqualTo(IllegalStateException.class.getName());
    }

    @Test
    void threadStartEndDeadLettersMutexWaitsAndStatisticsWhenEnabled(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("verdant2.jfr");
        Pid started;
        try (Recording rec = new Recording()) {
            for (String name : RARE) {
                rec.enable(name);
            }
            rec.enable("io.verdant.GreenThreadStart");
            rec.enable("io.verdant.GreenThreadEnd");
            rec.enable("io.verdant.RuntimeStatistics");
            rec.enable("io.verdant.WorkerStatistics");
            rec.start();
            // The statistics are periodic (1 s): the runtime stays open until this stream has seen
            // both for it. (A 1.2 s sleep lost to a JFR periodic thread late under load.)
            CountDownLatch statistics = new CountDownLatch(2);
            AtomicBoolean runtimeSeen = new AtomicBoolean();
            AtomicBoolean workerSeen = new AtomicBoolean();
            try (RecordingStream stream = new RecordingStream();
                 Verdant rt = Verdant.start(Config.builder().workers(2).name("jfr-misc").build())) {
                stream.enable("io.verdant.RuntimeStatistics");
                stream.enable("io.verdant.WorkerStatistics");
                stream.onEvent("io.verdant.RuntimeStatistics", e -> {
                    if (e.getString("runtime").equals("jfr-misc") && runtimeSeen.compareAndSet(false, true)) {
                        statistics.countDown();
                    }
                });
                stream.onEvent("io.verdant.WorkerStatistics", e -> {
                    if (e.getString("carrier").equals("jfr-misc-carrier-0") && workerSeen.compareAndSet(false, true)) {
                        statistics.countDown();
                    }
                });
                stream.startAsync();
                GreenHandle<Integer> first = rt.spawn(() -> 1);
                first.join(Duration.ofSeconds(20));
                started = first.pid();
                rt.run(() -> {
                    Green.send(started, "late");
                    Mutex<Integer> m = new Mutex<>(0);
                    GreenHandle<Void> holder;
                    try (Mutex.Guard<Integer> g = m.lock(Duration.ofSeconds(5))) {
                        g.set(0);
                        holder = Green.spawn(() -> {
                            try (Mutex.Guard<Integer> g2 = m.lock(Duration.ofSeconds(5))) {
                                g2.set(1);
                            }
                        });
                        while (holder.state() != GreenState.WAITING) {
                            Green.sleep(Duration.ofMillis(1));
                        }
                        Green.sleep(Duration.ofMillis(60));
                    }
                    holder.join();
                    return null;
                });
                assertThat(statistics.await(60, TimeUnit.SECONDS)).as("statistics events of jfr-misc").isTrue();
            }
            rec.stop();
            rec.dump(file);
        }
        List<RecordedEvent> events = verdantEvents(file);
        assertThat(of(events, "io.verdant.GreenThreadStart")).anyMatch(e -> e.getString("pid").equals(started.toString()));
        assertThat(of(events, "io.verdant.GreenThreadEnd")).anyMatch(e -> e.getString("pid").equals(started.toString())
                && e.getString("outcome").equals("SUCCEEDED") && e.getLong("dispatches") == 1); // one slice: () -> 1
        assertThat(of(events, "io.verdant.DeadLetter")).singleElement()
                .satisfies(e -> assertThat(e.getString("messageClass")).isEqualTo("java.lang.String"));
        assertThat(of(events, "io.verdant.MutexWait")).singleElement()
                .satisfies(e -> {
                    assertThat(e.getDuration()).isGreaterThanOrEqualTo(Duration.ofMillis(20));
                    // Built when the wait ended, naming the holder seen when it began.
                    assertThat(e.getString("holder")).startsWith("<");
                    assertThat(e.getString("mutex")).startsWith("Mutex.lock #").contains(" held by " + e.getString("holder"));
                });
        assertThat(of(events, "io.verdant.RuntimeStatistics")).anyMatch(e -> e.getString("runtime").equals("jfr-misc"));
        assertThat(of(events, "io.verdant.WorkerStatistics")).anyMatch(e -> e.getString("carrier").equals("jfr-misc-carrier-0"));
    }

    /**
     * A MutexWait behind a mutex an event actor's handler held names the actor as the
     * holder, as it was when the wait began. The holder's pid was worked out when the
     * wait ended, from the dispatcher thread that had run the handler: by then the turn
     * was over, and the event named the dispatcher (or the next actor it ran).
     */
    @Test
    void aMutexWaitBehindAnEventActorNamesTheActorAsTheHolder(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("verdant-actor-mutex.jfr");
        Pid actorPid;
        try (Recording rec = new Recording()) {
            rec.enable("io.verdant.MutexWait");
            rec.start();
            try (Verdant rt = Verdant.start(Config.builder().workers(2).name("jfr-actor-mutex").build())) {
                Mutex<Integer> m = new Mutex<>(0);
                CountDownLatch locked = new CountDownLatch(1);
                java.util.concurrent.atomic.AtomicReference<Thread> waiting = new java.util.concurrent.atomic.AtomicReference<>();
                GreenHandle<Object> actor = Actors.spawner(rt).name("holder-actor").spawn(null, (state, msg) -> {
                    try (Mutex.Guard<Integer> g = m.lock(Duration.ofSeconds(30))) {
                        g.set(1);
                        locked.countDown();
                        // Held until the waiter has parked on m (a fixed 100 ms was too short for a
                        // loaded machine: 2 of 10 under load), then past the 20 ms threshold.
                        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                        while ((waiting.get() == null || java.util.concurrent.locks.LockSupport.getBlocker(waiting.get()) != m)
                                && System.nanoTime() < deadline) {
                            Green.sleep(Duration.ofMillis(1));
                        }
                        Green.sleep(Duration.ofMillis(50));
                    }
                    return state;
                });
                actorPid = actor.pid();
                assertThat(Green.send(actorPid, "go")).isTrue();
                assertThat(locked.await(30, TimeUnit.SECONDS)).isTrue();
                GreenHandle<Integer> waiter = rt.spawner().name("mutex-waiter").spawn(() -> {
                    waiting.set(Thread.currentThread());
                    try (Mutex.Guard<Integer> g = m.lock(Duration.ofSeconds(30))) {
                        return g.get();
                    }
                });
                assertThat(waiter.join(Duration.ofSeconds(30))).isEqualTo(1);
                actor.cancel();
            }
            rec.stop();
            rec.dump(file);
        }
        assertThat(of(verdantEvents(file), "io.verdant.MutexWait")).singleElement().satisfies(e -> {
            assertThat(e.getString("holder")).isEqualTo(actorPid.toString());
            assertThat(e.getString("mutex")).startsWith("Mutex.lock #")
                    .endsWith(" held by " + actorPid + " 'holder-actor'");
        });
    }

    static List<RecordedEvent> of(List<RecordedEvent> events, String type) {
        return events.stream().filter(e -> e.getEventType().getName().equals(type)).toList();
    }

    /**
     * A green thread the closing runtime abandons (it ignored its cancellation past the
     * shutdown timeout) ends too: its GreenThreadStart gets a GreenThreadEnd, outcome
     * ABANDONED, as the metrics count it among the exited.
     */
    @Test
    void aThreadAbandonedAtCloseHasAnEndEvent(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("abandoned.jfr");
        try (Recording rec = lifecycleRecording()) {
            Pid pid;
            CountDownLatch cancelled = new CountDownLatch(1);
            Verdant rt = Verdant.start(Config.builder().workers(1).name("jfr-abandon")
                    .shutdownTimeout(Duration.ofMillis(100)).build());
            CountDownLatch release = new CountDownLatch(1);
            GreenHandle<Void> stubborn = rt.spawner().name("stubborn").spawn(() -> {
                try {
                    Green.sleep(Duration.ofHours(1));
                } catch (CancelledException e) {
                    cancelled.countDown();
                }
                // Ignores its cancellation: waits on for the test, parked (a loop of
                // Verdant calls would throw at once and spin, for the rest of the JVM).
                while (release.getCount() > 0) {
                    try {
                        release.await();
                    } catch (InterruptedException ignored) {
                        // the cancellation's interrupt
                    }
                }
            });
            pid = stubborn.pid();
            waitUntil(() -> stubborn.state() == GreenState.WAITING);
            rt.close();
            assertThat(cancelled.getCount()).isZero();
            assertThat(stubborn.state()).isEqualTo(GreenState.FAILED);
            assertThat(rt.metrics().exited()).isEqualTo(rt.metrics().spawned());
            release.countDown();
            List<RecordedEvent> mine = startAndEnd(rec, file, pid);
            assertThat(mine).filteredOn(e -> e.getEventType().getName().equals("io.verdant.GreenThreadEnd"))
                    .extracting(e -> e.getString("outcome")).containsExactly("ABANDONED");
        }
    }

    static final CountDownLatch STUCK_ENTERED = new CountDownLatch(1);
    static final CountDownLatch STUCK_RELEASE = new CountDownLatch(1);

    /** Initialised by the stuck thread: waits for the test inside its class initializer, which pins. */
    static final class StuckInInit {
        static {
            STUCK_ENTERED.countDown();
            // Pinned (a class initializer still pins in JDK 25): the carrier itself waits,
            // parked, as a carrier running a loop with no safepoint would be held.
            while (STUCK_RELEASE.getCount() > 0) {
                try {
                    STUCK_RELEASE.await();
                } catch (InterruptedException ignored) {
                    // the cancellation's interrupt: ignored, as a loop with no safepoint would
                }
            }
        }

        static void touch() {
        }
    }

    /**
     * A thread close abandons while it holds its carrier (its End, outcome ABANDONED,
     * committed by the closing thread) and whose body then ends after all: its end is
     * not committed a second time, nor counted a second time.
     */
    @Test
    void aThreadAbandonedAtCloseThatEndsLaterHasOneEndEvent(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("abandoned-ends.jfr");
        try (Recording rec = new Recording()) {
            rec.enable("io.verdant.GreenThreadStart");
            rec.enable("io.verdant.GreenThreadEnd");
            rec.start();
            Verdant rt = Verdant.start(Config.builder().workers(1).maxSpareCarriers(0).name("jfr-abandon-ends")
                    .shutdownTimeout(Duration.ofMillis(100)).build());
            java.util.concurrent.atomic.AtomicReference<Thread> body = new java.util.concurrent.atomic.AtomicReference<>();
            GreenHandle<Void> stuck = rt.spawner().name("stuck").spawn(() -> {
                body.set(Thread.currentThread());
                StuckInInit.touch();
            });
            Pid pid = stuck.pid();
            try {
                assertThat(STUCK_ENTERED.await(20, TimeUnit.SECONDS)).isTrue();
                rt.close(); // abandons it (its carrier is reported stuck)
                assertThat(stuck.state()).isEqualTo(GreenState.FAILED);
            } finally {
                STUCK_RELEASE.countDown();
            }
            // The body returns, and its thread runs its completion, on the carrier it held.
            body.get().join(Duration.ofSeconds(20));
            assertThat(body.get().isAlive()).isFalse();
            assertThat(rt.metrics().exited()).as("counted as exited once").isEqualTo(rt.metrics().spawned());
            rec.stop();
            rec.dump(file);
            List<RecordedEvent> mine = verdantEvents(file).stream()
                    .filter(e -> e.hasField("pid") && e.getString("pid").equals(pid.toString())).toList();
            assertThat(mine).extracting(e -> e.getEventType().getName() + " " + (e.hasField("outcome") ? e.getString("outcome") : ""))
                    .containsExactlyInAnyOrder("io.verdant.GreenThreadStart ", "io.verdant.GreenThreadEnd ABANDONED");
        }
    }

    /** An event actor's GreenThreadEnd has its GreenThreadStart, as a green thread's has. */
    @Test
    void anEventActorHasAStartEventAsWellAsAnEnd(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("start.jfr");
        try (Recording rec = lifecycleRecording()) {
            Pid pid;
            try (Verdant rt = Verdant.start(Config.builder().workers(1).name("jfr-actor-start").build())) {
                GreenHandle<Integer> actor = Actors.spawner(rt).name("ev").spawn(0, (s, m) -> {
                    Actors.stop();
                    return s + 1;
                });
                pid = actor.pid();
                rt.run(() -> Green.send(actor.pid(), "stop"));
                assertThat(actor.join(Duration.ofSeconds(20))).isEqualTo(1);
            }
            List<RecordedEvent> mine = startAndEnd(rec, file, pid);
            assertThat(mine).filteredOn(e -> e.getEventType().getName().equals("io.verdant.GreenThreadStart"))
                    .extracting(e -> e.getString("name")).containsExactly("ev");
        }
    }

    /**
     * A Preemption in an event actor's handler names the actor (whose code the event's
     * stack shows), not the dispatcher green thread that runs the handler.
     */
    @Test
    void aPreemptionInAnEventActorsHandlerNamesTheActor(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("actor.jfr");
        try (Recording rec = new Recording()) {
            rec.enable("io.verdant.Preemption");
            rec.start();
            try (Verdant rt = Verdant.start(Config.builder().workers(1).name("jfr-actor")
                    .timeslice(Duration.ofMillis(2)).stallThreshold(Duration.ofHours(1)).build())) {
                AtomicBoolean stop = new AtomicBoolean();
                CountDownLatch inHandler = new CountDownLatch(1);
                GreenHandle<Object> actor = Actors.spawner(rt).name("spinning-actor").spawn(null, (s, m) -> {
                    inHandler.countDown();
                    spinWithCheckpoints(stop);
                    return s;
                });
                rt.run(() -> Green.send(actor.pid(), "spin"));
                assertThat(inHandler.await(20, TimeUnit.SECONDS)).isTrue();
                GreenHandle<Void> other = rt.spawner().name("other").spawn(() -> spinWithCheckpoints(stop));
                waitUntil(() -> rt.metrics().preemptionsHonored() >= 4);
                stop.set(true);
                other.join(Duration.ofSeconds(20));
                actor.cancel();
                rec.stop();
                rec.dump(file);
                // Events whose stack is in the spin loop (the actor's handler or "other"): a
                // preemption requested as the handler returned is honoured by the dispatcher in
                // its own code, outside any handler, and names the dispatcher rightly.
                Set<String> names = new TreeSet<>();
                Set<String> pids = new TreeSet<>();
                for (RecordedEvent e : verdantEvents(file)) {
                    if (e.getString("runtime").equals("jfr-actor") && e.getStackTrace() != null
                            && e.getStackTrace().getFrames().stream()
                                    .anyMatch(f -> f.getMethod().getName().equals("spinWithCheckpoints"))) {
                        names.add(e.getString("name"));
                        pids.add(e.getString("pid"));
                    }
                }
                assertThat(names).contains("spinning-actor").doesNotContain("verdant-dispatcher");
                assertThat(pids).contains(actor.pid().toString());
            }
        }
    }

    /** A started recording of the GreenThreadStart and GreenThreadEnd events. */
    private static Recording lifecycleRecording() {
        Recording rec = new Recording();
        rec.enable("io.verdant.GreenThreadStart");
        rec.enable("io.verdant.GreenThreadEnd");
        rec.start();
        return rec;
    }

    /** Stops {@code rec}; the events it holds for {@code pid}, which must be one GreenThreadStart and one GreenThreadEnd. */
    private static List<RecordedEvent> startAndEnd(Recording rec, Path file, Pid pid) throws Exception {
        rec.stop();
        rec.dump(file);
        List<RecordedEvent> mine = verdantEvents(file).stream()
                .filter(e -> e.hasField("pid") && e.getString("pid").equals(pid.toString())).toList();
        assertThat(mine).extracting(e -> e.getEventType().getName())
                .containsExactlyInAnyOrder("io.verdant.GreenThreadStart", "io.verdant.GreenThreadEnd");
        return mine;
    }

    static void spinWithCheckpoints(AtomicBoolean stop) {
        while (!stop.get()) {
            Green.checkpoint();
        }
    }
}
