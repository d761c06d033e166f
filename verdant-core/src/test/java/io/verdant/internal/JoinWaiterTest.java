package io.verdant.internal;

import io.verdant.CancelledException;
import io.verdant.Config;
import io.verdant.Green;
import io.verdant.GreenHandle;
import io.verdant.TimedOutException;
import io.verdant.Verdant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A join that times out or is cancelled unlinks its waiter node from the
 * target (issue 10, item 4; the JoinLeak reproducer): the joiners' stack holds
 * only joiners still waiting, however many joins gave up.
 */
@Timeout(60)
class JoinWaiterTest {

    @Test
    void timedOutJoinsLeaveNoWaiterNodes() throws Exception {
        try (Verdant rt = Verdant.start(Config.builder().workers(2).name("join-leak").build())) {
            CountDownLatch release = new CountDownLatch(1);
            GreenHandle<String> target = rt.spawn(() -> {
                release.await();
                return "done";
            });
            GreenThread<?> g = (GreenThread<?>) target;
            int timedOut = rt.run(() -> {
                int n = 0;
                for (int i = 0; i < 20_000; i++) {
                    try {
                        target.join(Duration.ofNanos(1));
                    } catch (TimedOutException expected) {
                        n++;
                    }
                }
                return n;
            });
            // From a platform thread too (it parks with parkNanos, not on the wheel).
            for (int i = 0; i < 200; i++) {
                assertThatThrownBy(() -> target.join(Duration.ofNanos(1))).isInstanceOf(TimedOutException.class);
            }
            assertThat(timedOut).isEqualTo(20_000);
            assertThat(g.waiterCount()).isZero();
            release.countDown();
            assertThat(target.join(Duration.ofSeconds(20))).isEqualTo("done");
        }
    }

    @Test
    void concurrentTimedOutJoinsUnlinkTheirNodesAndAWaitingJoinerStillWakes() throws Exception {
        try (Verdant rt = Verdant.start(Config.builder().workers(2).name("join-race").build())) {
            CountDownLatch release = new CountDownLatch(1);
            GreenHandle<String> target = rt.spawn(() -> {
                release.await();
                return "done";
            });
            GreenThread<?> g = (GreenThread<?>) target;
            GreenHandle<String> patient = rt.spawn(() -> target.join(Duration.ofSeconds(30)));
            List<GreenHandle<Integer>> impatient = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                impatient.add(rt.spawn(() -> {
                    int n = 0;
                    for (int i = 0; i < 2_000; i++) {
                        try {
                            target.join(Duration.ofNanos(ThreadLocalRandom.current().nextInt(1, 50_000)));
                        } catch (TimedOutException expected) {
                            n++;
                        }
                        if (i % 64 == 0) {
                            Green.yield();
                        }
                    }
                    return n;
                }));
            }
            for (GreenHandle<Integer> h : impatient) {
                assertThat(h.join(Duration.ofSeconds(30))).isEqualTo(2_000);
            }
            // Only the patient joiner's node is left (once it has pushed it).
            // The value the loop saw is the one asserted: read again, it may have moved on.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            int waiters;
            while ((waiters = g.waiterCount()) != 1 && System.nanoTime() < deadline) {
                Thread.sleep(1);
            }
            assertThat(waiters).isEqualTo(1);
            release.countDown();
            assertThat(patient.join(Duration.ofSeconds(20))).isEqualTo("done");
        }
    }

    @Test
    void cancelledJoinsLeaveNoWaiterNodes() throws Exception {
        try (Verdant rt = Verdant.start(Config.builder().workers(2).name("join-cancel").build())) {
            CountDownLatch release = new CountDownLatch(1);
            GreenHandle<String> target = rt.spawn(() -> {
                release.await();
                return "done";
            });
            GreenThread<?> g = (GreenThread<?>) target;
            for (int i = 0; i < 200; i++) {
                GreenHandle<String> joiner = rt.spawn(() -> target.join());
                while (g.waiterCount() == 0) {
                    Thread.onSpinWait();
                }
                joiner.cancel();
                assertThatThrownBy(() -> joiner.join(Duration.ofSeconds(20)))
                        .hasCauseInstanceOf(CancelledException.class);
                assertThat(g.waiterCount()).isZero();
            }
            release.countDown();
            assertThat(target.join(Duration.ofSeconds(20))).isEqualTo("done");
        }
    }
}
