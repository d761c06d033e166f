package io.verdant.internal.sched;

import io.verdant.Config;
import io.verdant.Green;
import io.verdant.GreenHandle;
import io.verdant.Verdant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * The regression test of /work/shared/repro/WakeStress (a lost-wake-up hunter in
 * the idle-parking protocol), bounded: rounds in which a platform thread wakes
 * parked green threads (injection and signalWork), each woken thread wakes a
 * partner green thread (local queue or LIFO slot), and half the partners then
 * sleep 1 ms (a timer wake-up) before they finish. Between rounds the test waits,
 * bounded, for every carrier to park, so that the platform thread's wake-ups land
 * on idle carriers (the repro slept a random 0-2 ms for that). A lost wake-up
 * leaves a round unfinished: the round's latch times out and the test fails,
 * naming the round, after releasing every thread so that close() does not hang.
 * Bounded in rounds and in time (whichever ends first); asserts counts only.
 */
@Timeout(180)
class WakeStressTest {
    private static final int PAIRS = 8;
    private static final int ROUNDS = 400;
    private static final long BUDGET_NANOS = TimeUnit.SECONDS.toNanos(20);
    /** How long a round may take before its wake-up counts as lost: far beyond any loaded round. */
    private static final long ROUND_TIMEOUT_SECONDS = 20;

    @Test
    void oneCarrier() throws Exception {
        stress(1);
    }

    @Test
    void twoCarriers() throws Exception {
        stress(2);
    }

    private static void stress(int workers) throws Exception {
        // A short shutdown timeout: after a lost wake-up close() returns instead of waiting for threads that
        // may never be run again (their cancellation is a wake-up from outside, too).
        try (Verdant rt = Verdant.start(Config.builder().workers(workers).name("wake-stress-" + workers)
                .shutdownTimeout(Duration.ofSeconds(5)).build())) {
            Scheduler s = rt.spawn(() -> io.verdant.internal.GreenThread.current().runtime().scheduler)
                    .join(Duration.ofSeconds(ROUND_TIMEOUT_SECONDS));
            long end = System.nanoTime() + BUDGET_NANOS;
            int rounds = 0;
            AtomicInteger finished = new AtomicInteger();
            AtomicInteger idleRounds = new AtomicInteger();
            while (rounds < ROUNDS && (rounds < 20 || System.nanoTime() < end)) {
                round(rt, s, rounds, finished, idleRounds);
                rounds++;
            }
            System.out.printf("wake stress, %d carrier(s): %d rounds of %d pairs, %d woken with every carrier parked%n",
                    workers, rounds, PAIRS, idleRounds.get());
            assertThat(finished.get()).isEqualTo(rounds * PAIRS);
        }
    }

    private static void round(Verdant rt, Scheduler s, int round, AtomicInteger finished,
            AtomicInteger idleRounds) throws Exception {
        CountDownLatch parked = new CountDownLatch(PAIRS);
        CountDownLatch done = new CountDownLatch(PAIRS);
        Thread[] first = new Thread[PAIRS];
        AtomicBoolean[] go = new AtomicBoolean[PAIRS];
        AtomicBoolean[] partnerGo = new AtomicBoolean[PAIRS];
        Thread[] partners = new Thread[PAIRS];
        List<GreenHandle<?>> handles = new ArrayList<>();
        for (int i = 0; i < PAIRS; i++) {
            int k = i;
            go[k] = new AtomicBoolean();
            partnerGo[k] = new AtomicBoolean();
            CountDownLatch partnerParked = new CountDownLatch(1);
            handles.add(rt.spawn(() -> {
                partners[k] = Thread.currentThread();
                partnerParked.countDown();
                while (!partnerGo[k].get()) {
                    LockSupport.park();
                }
                if ((k & 1) == 0) {
                    Green.sleep(Duration.ofMillis(1)); // a timer wake-up
                }
                finished.incrementAndGet();
                done.countDown();
                return null;
            }));
            handles.add(rt.spawn(() -> {
                first[k] = Thread.currentThread();
                parked.countDown();
                while (!go[k].get()) {
                    LockSupport.park();
                }
                if (!partnerParked.await(ROUND_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                    throw new AssertionError("partner " + k + " never started");
                }
                partnerGo[k].set(true);
                LockSupport.unpark(partners[k]); // a green thread wakes a green thread
                return null;
            }));
        }
        try {
            assertThat(parked.await(ROUND_TIMEOUT_SECONDS, TimeUnit.SECONDS)).as("round %d: threads started", round)
                    .isTrue();
            if (round % 4 != 0) {
                // Let the carriers go idle, so that the wake-ups below find them parked (most
                // rounds; a quarter wake carriers still searching). Bounded: a loaded machine
                // may keep a carrier busy longer, and then the round goes on regardless.
                long idleBy = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(50);
                while (!s.allIdle() && System.nanoTime() < idleBy) {
                    Thread.yield();
                }
            }
            if (s.allIdle()) {
                idleRounds.incrementAndGet();
            }
            for (int i = 0; i < PAIRS; i++) {
                go[i].set(true);
                LockSupport.unpark(first[i]); // a platform thread wakes a green thread
            }
            if (!done.await(ROUND_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                fail("round %d: %d of %d pairs did not finish within %d s (a lost wake-up); %s", round,
                        done.getCount(), PAIRS, ROUND_TIMEOUT_SECONDS, rt.snapshot());
            }
            for (GreenHandle<?> h : handles) {
                h.join(Duration.ofSeconds(ROUND_TIMEOUT_SECONDS));
            }
        } finally {
            // After a failure: release everyone, so that close() can end the threads.
            for (int i = 0; i < PAIRS; i++) {
                go[i].set(true);
                partnerGo[i].set(true);
                if (first[i] != null) {
                    LockSupport.unpark(first[i]);
                }
                if (partners[i] != null) {
                    LockSupport.unpark(partners[i]);
                }
            }
        }
    }
}
