package io.verdant;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** Cancelling a tree of 10,000 green threads blocked in every primitive frees them all, leaving no slot or timer. */
@Timeout(120)
class CancellationStressTest {
    private static final Duration FOREVER = Duration.ofDays(1);
    private Verdant rt;

    @BeforeEach
    void start() {
        rt = Verdant.start(Config.builder().workers(2).name("cancel-stress").build());
    }

    @AfterEach
    void stop() {
        rt.close();
    }

    @Test
    void cancellingATreeBlockedInEveryPrimitiveFreesEverything() throws Exception {
        int fanout = 10;
        int depth = 4; // 10 + 100 + 1000 + 10000 = 11,110 threads below the root
        int total = 10 + 100 + 1000 + 10_000;
        Channel<Integer> rendezvous = Channel.rendezvous();
        Channel<Integer> full = Channel.bounded(1);
        full.send(0);
        Channel<Integer> unbounded = Channel.unbounded();
        Mutex<Integer> mutex = new Mutex<>(0);
        Mutex.Guard<Integer> held = mutex.lock(Duration.ofSeconds(1)); // held by the test thread: all lockers wait
        CountDownLatch blocked = new CountDownLatch(total);
        AtomicInteger cancelled = new AtomicInteger();
        AtomicInteger other = new AtomicInteger();
        long liveBefore = rt.liveThreads();
        GreenHandle<Void> root = rt.spawn(() -> {
            spawnLevel(depth, fanout, blocked, cancelled, other, rendezvous, full, unbounded, mutex);
            Green.sleep(FOREVER);
        });
        assertThat(blocked.await(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        // Wait until every thread has actually parked in its primitive (so cancellation
        // meets parked waiters, not threads still on their way in): count the waiters.
        int[] perKind = new int[7];
        for (int i = 0; i < fanout; i++) {
            perKind[i % 7] += total / fanout;
        }
        int rendezvousWaiters = perKind[1];
        int fullWaiters = perKind[2] + perKind[5];          // senders and select send cases
        int unboundedWaiters = perKind[3] + perKind[5];     // receivers and select receive cases
        int mutexWaiters = perKind[4];
        // Timed waits arm one timer each: sleeps (kind 0, the root, kind 6 after its join),
        // timed send/receive/lock, the select's timeout.
        int timers = perKind[0] + 1 + perKind[6] + perKind[2] + perKind[3] + perKind[4] + perKind[5];
        long parkDeadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!(TestAccess.queuedNodes(rendezvous) == rendezvousWaiters
                && TestAccess.queuedNodes(full) == fullWaiters
                && TestAccess.queuedNodes(unbounded) == unboundedWaiters
                && mutex.waiters() == mutexWaiters
                && TestAccess.timers(rt) == timers)) {
            assertThat(System.nanoTime()).as("all %d threads parked within 60 s", total).isLessThan(parkDeadline);
            Thread.onSpinWait();
            Thread.yield();
        }
        root.cancel();
        try {
            root.join(Duration.ofSeconds(60));
        } catch (GreenFailedException expected) {
            assertThat(expected.getCause()).isInstanceOf(CancelledException.class);
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (rt.liveThreads() > liveBefore && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(rt.liveThreads()).isEqualTo(liveBefore);
        assertThat(other.get()).as("threads that ended otherwise than by CancelledException").isZero();
        assertThat(cancelled.get()).isEqualTo(total);
        assertThat(TestAccess.timers(rt)).isZero();
        assertThat(TestAccess.queuedNodes(rendezvous) + TestAccess.queuedNodes(full)
                + TestAccess.queuedNodes(unbounded)).isZero();
        assertThat(mutex.waiters()).isZero();
        held.close();
        assertThat(mutex.isLocked()).isFalse();
        assertThat(mutex.isPoisoned()).isFalse();
    }

    private static void spawnLevel(int depth, int fanout, CountDownLatch blocked, AtomicInteger cancelled,
                                   AtomicInteger other, Channel<Integer> rendezvous, Channel<Integer> full,
                                   Channel<Integer> unbounded, Mutex<Integer> mutex) {
        if (depth == 0) {
            return;
        }
        for (int i = 0; i < fanout; i++) {
            int kind = i;
            Green.spawn(() -> {
                spawnLevel(depth - 1, fanout, blocked, cancelled, other, rendezvous, full, unbounded, mutex);
                blocked.countDown();
                try {
                    switch (kind % 7) {
                        case 0 -> Green.sleep(FOREVER);
                        case 1 -> rendezvous.receive();
                        case 2 -> full.send(1, FOREVER);
                        case 3 -> unbounded.receive(FOREVER);
                        case 4 -> mutex.lock(FOREVER);
                        case 5 -> Select.<Integer>create().onReceive(unbounded, v -> v).onSend(full, 1, () -> 0)
                                .onTimeout(FOREVER, () -> 0).select();
                        default -> Green.spawn(() -> Green.sleep(Duration.ofMillis(1))).join();
                    }
                    if (kind % 7 == 6) {
                        // join finished (its child slept 1 ms): wait again, cancellably
                        Green.sleep(FOREVER);
                    }
                    other.incrementAndGet();
                } catch (CancelledException e) {
                    cancelled.incrementAndGet();
                } catch (GreenFailedException e) {
                    // Kind 6 before its 1 ms child ended (the waiter count cannot tell a join from
                    // the sleep after it): the tree's cancel reached the child first, and the
                    // join reports the child's cancellation.
                    (e.getCause() instanceof CancelledException ? cancelled : other).incrementAndGet();
                } catch (Throwable t) {
                    other.incrementAndGet();
                }
            });
        }
    }
}
