package io.verdant;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@Timeout(60)
class SleepAndTimeoutTest {
    private Verdant rt;

    @BeforeEach
    void start() {
        rt = Verdant.start(Config.builder().workers(2).name("sleep").build());
    }

    @AfterEach
    void stop() {
        rt.close();
    }

    @Test
    void sleepIsNeverShorterThanAsked() {
        long[] took = rt.run(() -> {
            long[] t = new long[20];
            for (int i = 0; i < t.length; i++) {
                long s = System.nanoTime();
                Green.sleep(Duration.ofMillis(1 + i % 5));
                t[i] = System.nanoTime() - s;
            }
            return t;
        });
        for (int i = 0; i < took.length; i++) {
            assertThat(took[i]).isGreaterThanOrEqualTo(Duration.ofMillis(1 + i % 5).toNanos());
        }
    }

    @Test
    void manySleepersAllWakeAndLeaveNoTimerBehind() {
        int n = 20_000;
        int woke = rt.run(() -> {
            List<GreenHandle<Integer>> hs = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                int ms = i % 200;
                hs.add(Green.spawn(() -> {
                    Green.sleep(Duration.ofMillis(ms));
                    return 1;
                }));
            }
            int s = 0;
            for (GreenHandle<Integer> h : hs) {
                s += h.join();
            }
            return s;
        });
        assertThat(woke).isEqualTo(n);
        assertThat(timers()).isZero();
    }

    @Test
    void anIdleRuntimeStillWakesItsSleeper() throws Exception {
        // Every worker parks while the only green thread sleeps: the ticker must wake for the deadline.
        GreenHandle<Long> h = rt.spawn(() -> {
            long s = System.nanoTime();
            Green.sleep(Duration.ofMillis(300));
            return System.nanoTime() - s;
        });
        assertThat(h.join(Duration.ofSeconds(20))).isGreaterThanOrEqualTo(Duration.ofMillis(300).toNanos());
    }

    @Test
    void anIdleRuntimeWithoutTimersParksItsTickerWithoutATimeout() throws Exception {
        rt.run(() -> {
            Green.sleep(Duration.ofMillis(20));
            return null;
        });
        Thread ticker = Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().equals("sleep-ticker")).findFirst().orElseThrow();
        // With a timer armed the idle ticker waits TIMED_WAITING until the deadline;
        // with none it parks untimed (WAITING): no periodic wake-ups, no CPU.
        // Each state is read once and that read is asserted: the ticker may wake
        // (RUNNABLE) for an instant at any time, so a second read could see that.
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        Thread.State state;
        while ((state = ticker.getState()) != Thread.State.WAITING && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(state).isEqualTo(Thread.State.WAITING);
        GreenHandle<Void> sleeper = rt.spawn(() -> Green.sleep(Duration.ofSeconds(30)));
        while ((state = ticker.getState()) != Thread.State.TIMED_WAITING && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(state).isEqualTo(Thread.State.TIMED_WAITING);
        sleeper.cancel();
    }

    @Test
    void joinWithTimeoutTimesOutThenSucceeds() {
        rt.run(() -> {
            CountDownLatch go = new CountDownLatch(1);
            GreenHandle<String> slow = Green.spawn(() -> {
                go.await();
                return "done";
            });
            long s = System.nanoTime();
            assertThatThrownBy(() -> slow.join(Duration.ofMillis(50))).isInstanceOf(TimedOutException.class);
            assertThat(System.nanoTime() - s).isGreaterThanOrEqualTo(Duration.ofMillis(50).toNanos());
            go.countDown();
            assertThat(slow.join(Duration.ofSeconds(20))).isEqualTo("done");
            return null;
        });
        assertThat(timers()).isZero();
    }

    @Test
    void sleepArgumentsAreChecked() {
        assertThatThrownBy(() -> Green.sleep(Duration.ofMillis(1))).isInstanceOf(IllegalStateException.class);
        rt.run(() -> {
            assertThatThrownBy(() -> Green.sleep(null)).isInstanceOf(NullPointerException.class).hasMessageContaining("duration");
            assertThatThrownBy(() -> Green.sleep(Duration.ofMillis(-1))).isInstanceOf(IllegalArgumentException.class);
            Green.sleep(Duration.ZERO);
            return null;
        });
    }

    private int timers() {
        return TestAccess.timers(rt);
    }
}
