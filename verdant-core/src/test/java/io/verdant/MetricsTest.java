package io.verdant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

import static io.verdant.StallTest.waitUntil;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@link Verdant#metrics()}: counters equal what known workloads did. */
@Timeout(60)
class MetricsTest {
    @Test
    void spawnsAndExitsAreCountedExactly() {
        try (Verdant rt = Verdant.start(Config.builder().workers(2).name("metrics-spawn").build())) {
            List<GreenHandle<Integer>> fromPlatform = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                int n = i;
                fromPlatform.add(rt.spawn(() -> n));
            }
            for (GreenHandle<Integer> h : fromPlatform) {
                h.join(Duration.ofSeconds(20));
            }
            rt.run(() -> {
                List<GreenHandle<Integer>> kids = new ArrayList<>();
                for (int i = 0; i < 300; i++) {
                    int n = i;
                    kids.add(Green.spawn(() -> n));
                }
                return Green.joinAll(kids).size();
            });
            RuntimeMetrics m = rt.metrics();
            // 200 from the platform thread, the run() body, 300 from inside it.
            assertThat(m.spawned()).isEqualTo(501);
            assertThat(m.exited()).isEqualTo(501);
            assertThat(m.live()).isZero();
            assertThat(m.polls()).isGreaterThanOrEqualTo(501);
            assertThat(m.workers()).hasSize(2);
            assertThat(m.workers().stream().mapToLong(WorkerMetrics::polls).sum()).isEqualTo(m.polls());
            assertThat(m.runtime()).isEqualTo("metrics-spawn");
        }
    }

    @Test
    void aPingPongOfKRoundsParksAtLeastTwiceK() {
        int rounds = 1000;
        try (Verdant rt = Verdant.start(Config.builder().workers(1).name("metrics-pingpong").build())) {
            long before = rt.metrics().waits();
            rt.run(() -> {
                Channel<Integer> ping = Channel.rendezvous();
                Channel<Integer> pong = Channel.rendezvous();
                GreenHandle<Void> echo = Green.spawn(() -> {
                    for (int i = 0; i < rounds; i++) {
                        pong.send(ping.receive());
                    }
                });
                for (int i = 0; i < rounds; i++) {
                    ping.send(i);
                    pong.receive();
                }
                echo.join();
                return null;
            });
            // On one carrier each side waits for the other once per round at least.
            assertThat(rt.metrics().waits() - before).isGreaterThanOrEqualTo(2L * rounds);
        }
    }

    /**
     * waits is counted by the carrier when it runs a green thread again after a park
     * that took the thread off it (GreenThread.takeCopy), not on the park path: one
     * per such park, exactly. The receiver parks once per value: the platform thread
     * sends only once it sees the receiver parked (WAITING), so each send is a hand-off.
     */
    @Test
    void eachParkThatTakesAGreenThreadOffItsCarrierIsOneWait() throws Exception {
        int rounds = 40;
        try (Verdant rt = Verdant.start(Config.builder().workers(1).name("metrics-waits").build())) {
            Channel<Integer> ch = Channel.rendezvous();
            long before = rt.metrics().waits();
            GreenHandle<Integer> receiver = rt.spawn(() -> {
                int sum = 0;
                for (int i = 0; i < rounds; i++) {
                    sum += ch.receive();
                }
                return sum;
            });
            for (int i = 0; i < rounds; i++) {
                waitUntil(() -> receiver.state() == GreenState.WAITING);
                ch.send(i);
            }
            assertThat(receiver.join(Duration.ofSeconds(20))).isEqualTo(rounds * (rounds - 1) / 2);
            assertThat(rt.metrics().waits() - before).isEqualTo(rounds);
        }
    }

    /**
     * A park whose permit was already given returns without leaving the carrier: no
     * wait. A JDK park (LockSupport here; a java.util.concurrent lock the same) that
     * leaves the carrier is one, as a Verdant operation's is.
     */
    @Test
    void aParkThatReturnsAtOnceIsNoWaitAndOneThatUnmountsIsOne() throws Exception {
        try (Verdant rt = Verdant.start(Config.builder().workers(1).name("metrics-park").build())) {
            AtomicReference<Thread> self = new AtomicReference<>();
            AtomicBoolean go = new AtomicBoolean();
            AtomicLong afterImmediatePark = new AtomicLong(-1);
            long before = rt.metrics().waits();
            GreenHandle<Void> h = rt.spawn(() -> {
                LockSupport.unpark(Thread.currentThread());
                LockSupport.park(); // the permit is there: returns at once, on the carrier
                afterImmediatePark.set(rt.metrics().waits());
                self.set(Thread.currentThread());
                while (!go.get()) {
                    LockSupport.park();
                }
            });
            waitUntil(() -> h.state() == GreenState.WAITING);
            go.set(true);
            LockSupport.unpark(self.get());
            h.join(Duration.ofSeconds(20));
            assertThat(afterImmediatePark.get()).isEqualTo(before);
            assertThat(rt.metrics().waits() - before).isEqualTo(1);
        }
    }

    @Test
    void anIdleCarrierParksAndAStallStartsOneSpare() throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        try (Verdant rt = Verdant.start(Config.builder().workers(1).name("metrics-stall")
                .stallThreshold(Duration.ofMillis(100)).build())) {
            waitUntil(() -> rt.metrics().parks() > 0);
            GreenHandle<Long> looper = rt.spawner().name("looper").spawn(() -> StallTest.spinWithoutSafepoint(stop));
            try {
                waitUntil(() -> looper.state() == GreenState.RUNNING);
                assertThat(rt.spawn(() -> 7).join(Duration.ofSeconds(20))).isEqualTo(7);
                // The ticker starts the spare, then takes the stack and counts the stall:
                // the spare may have run the thread above before the count moves.
                waitUntil(() -> rt.metrics().stalls() >= 1);
                RuntimeMetrics m = rt.metrics();
                assertThat(m.stalls()).isEqualTo(1);
                assertThat(m.sparesStarted()).isEqualTo(1);
                assertThat(m.sparesAlive()).isEqualTo(1);
                assertThat(m.workers()).hasSize(2).anyMatch(WorkerMetrics::spare);
            } finally {
                stop.set(true);
            }
            looper.join(Duration.ofSeconds(20));
            waitUntil(() -> rt.metrics().sparesAlive() == 0);
            RuntimeMetrics after = rt.metrics();
            assertThat(after.stalls()).isEqualTo(1);
            assertThat(after.sparesStarted()).isEqualTo(1);
            // The retired spare's dispatches are kept: the 7-returning thread ran there.
            assertThat(after.spawned()).isEqualTo(2);
            assertThat(after.exited()).isEqualTo(2);
            assertThat(after.polls()).isGreaterThanOrEqualTo(2);
        }
    }

    @Test
    void preemptionsRequestedAndHonoredGrowTogether() {
        try (Verdant rt = Verdant.start(Config.builder().workers(1).name("metrics-preempt")
                .timeslice(Duration.ofMillis(2)).build())) {
            AtomicBoolean stop = new AtomicBoolean();
            List<GreenHandle<Void>> spinners = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                spinners.add(rt.spawn(() -> {
                    while (!stop.get()) {
                        Green.checkpoint();
                    }
                }));
            }
            try {
                long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
                while (rt.metrics().preemptionsHonored() < 5 && System.nanoTime() < deadline) {
                    Thread.onSpinWait();
                }
            } finally {
                stop.set(true);
            }
            for (GreenHandle<Void> h : spinners) {
                h.join(Duration.ofSeconds(20));
            }
            RuntimeMetrics m = rt.metrics();
            assertThat(m.preemptionsHonored()).isGreaterThanOrEqualTo(5);
            assertThat(m.preemptionsRequested()).isGreaterThanOrEqualTo(m.preemptionsHonored());
        }
    }

    @Test
    void deadLettersAndSupervisorRestartsAreCountedExactly() throws Exception {
        try (Verdant rt = Verdant.start(Config.builder().workers(2).name("metrics-actors").build())) {
            Pid dead = rt.spawn(() -> 1).pid();
            rt.handle(dead).ifPresent(h -> h.join(Duration.ofSeconds(20)));
            waitUntil(() -> !rt.isAlive(dead));
            rt.run(() -> {
                Green.send(dead, "lost");
                Green.send(dead, "lost again");
                return null;
            });
            assertThat(rt.metrics().deadLetters()).isEqualTo(2);

            java.util.concurrent.atomic.AtomicInteger starts = new java.util.concurrent.atomic.AtomicInteger();
            Supervisor sup = Supervisor.builder().name("sup").intensity(10, Duration.ofSeconds(60))
                    .child(Supervisor.ChildSpec.of("flaky", () -> {
                        if (starts.incrementAndGet() <= 3) {
                            throw new IllegalStateException("boom");
                        }
                        Green.receive();
                    }))
                    .start(rt);
            waitUntil(() -> starts.get() == 4);
            assertThat(rt.metrics().supervisorRestarts()).isEqualTo(3);
            sup.shutdown();
        }
    }

    /**
     * deadLetters counts what Verdant.deadLetterCount counts: besides messages to dead
     * pids, a message a live thread's bounded mailbox dropped and a reply that came after
     * its call ended (its javadoc named the first only).
     */
    @Test
    void deadLettersCountDroppedMessagesAndLateRepliesToo() throws Exception {
        try (Verdant rt = Verdant.start(Config.builder().workers(1).name("metrics-dead-letters").build())) {
            CountDownLatch release = new CountDownLatch(1);
            GreenHandle<Object> full = rt.spawner().mailbox(Mailbox.bounded(1, Mailbox.Overflow.DROP_NEWEST))
                    .spawn(() -> {
                        release.await();
                        return Green.receive();
                    });
            try {
                assertThat(rt.send(full.pid(), "kept")).isTrue();
                assertThat(rt.send(full.pid(), "dropped")).isFalse(); // alive: its mailbox dropped it
                assertThat(rt.isAlive(full.pid())).isTrue();
                AtomicReference<ReplyTo<String>> slot = new AtomicReference<>();
                CountDownLatch asked = new CountDownLatch(1);
                GreenHandle<Object> callee = rt.spawn(() -> {
                    @SuppressWarnings("unchecked")
                    ReplyTo<String> r = (ReplyTo<String>) Green.receive();
                    slot.set(r);
                    asked.countDown();
                    return Green.receive();
                });
                assertThatThrownBy(() -> Green.call(callee.pid(), (ReplyTo<String> r) -> r, Duration.ofMillis(50)))
                        .isInstanceOf(TimedOutException.class);
                asked.await();
                assertThat(slot.get().reply("late")).isFalse();
                RuntimeMetrics m = rt.metrics();
                assertThat(m.deadLetters()).isEqualTo(2).isEqualTo(rt.deadLetterCount());
                callee.cancel();
            } finally {
                release.countDown();
            }
            full.join(Duration.ofSeconds(20));
        }
    }
}
