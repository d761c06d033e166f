package io.verdant;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Green.sendAfter / sendEvery / SendTimer on the runtime's timer wheel. */
@Timeout(60)
class SendTimerTest {
    private static final Duration LONG = Duration.ofSeconds(20);
    private final ConcurrentLinkedQueue<Object> deadLetters = new ConcurrentLinkedQueue<>();
    private Verdant rt;

    @BeforeEach
    void start() {
        rt = Verdant.start(Config.builder().workers(2).name("timers")
                .deadLetterHandler((pid, msg) -> deadLetters.add(msg)).build());
    }

    @AfterEach
    void stop() {
        rt.close();
    }

    @Test
    void sendAfterDeliversOnceNoEarlierThanTheDelay() {
        long elapsedNanos = rt.run(() -> {
            long t0 = System.nanoTime();
            SendTimer t = Green.sendAfter(Green.self(), "tick", Duration.ofMillis(30));
            assertThat(t.isActive()).isTrue();
            assertThat(t.pid()).isEqualTo(Green.self());
            assertThat(Green.receive(LONG)).isEqualTo("tick");
            long took = System.nanoTime() - t0;
            assertThat(t.isActive()).isFalse();
            assertThat(t.cancel()).as("already fired").isFalse();
            assertThat(Green.tryReceive()).isEmpty();
            return took;
        });
        assertThat(elapsedNanos).isGreaterThanOrEqualTo(Duration.ofMillis(30).toNanos());
    }

    @Test
    void aCancelledTimerNeverSends() {
        rt.run(() -> {
            SendTimer t = Green.sendAfter(Green.self(), "never", Duration.ofMillis(30));
            assertThat(t.cancel()).isTrue();
            assertThat(t.cancel()).isFalse();
            assertThat(t.isActive()).isFalse();
            Green.sendAfter(Green.self(), "later", Duration.ofMillis(100));
            assertThat(Green.receive(LONG)).isEqualTo("later");
            assertThat(Green.tryReceive()).isEmpty();
        });
    }

    @Test
    void aZeroDelaySendsAtOnce() {
        rt.run(() -> {
            Green.sendAfter(Green.self(), "now", Duration.ZERO);
            assertThat(Green.tryReceive()).contains("now");
        });
    }

    @Test
    void sendEveryRepeatsUntilCancelled() {
        int extra = rt.run(() -> {
            SendTimer t = Green.sendEvery(Green.self(), "beat", Duration.ZERO, Duration.ofMillis(5));
            for (int i = 0; i < 5; i++) {
                assertThat(Green.receive(LONG)).isEqualTo("beat");
            }
            assertThat(t.isActive()).isTrue();
            assertThat(t.cancel()).isTrue();
            // Beats sent before cancel() that this thread has not taken: a loaded machine that
            // runs it late lets them queue up, one per period.
            int queued = Green.mailboxSize();
            // At most one send may have been under way when cancel ran; nothing comes after that.
            // The ticker sends every beat and fires its timers one after another, in deadline
            // order: a marker armed now, due ten periods on, comes after that beat however late
            // the ticker runs, and after the ten more of a timer that cancel() did not stop.
            Green.sendAfter(Green.self(), "marker", Duration.ofMillis(50));
            int beats = 0;
            while (!"marker".equals(Green.receive(LONG))) {
                beats++;
            }
            Green.sendAfter(Green.self(), "second marker", Duration.ofMillis(50));
            assertThat(Green.receive(LONG)).as("the next message: no beat came ten periods after the marker")
                    .isEqualTo("second marker");
            return beats - queued;
        });
        assertThat(extra).as("beats that came after cancel()").isLessThanOrEqualTo(1);
    }

    @Test
    void aPeriodicTimerStopsWhenItsAddresseeIsDead() throws Exception {
        rt.run(() -> {
            GreenHandle<Object> target = Green.spawn(() -> Green.receive());
            SendTimer t = Green.sendEvery(target.pid(), "beat", Duration.ZERO, Duration.ofMillis(5));
            target.join(); // took the first beat and ended
            long deadline = System.nanoTime() + LONG.toNanos();
            while (t.isActive() && System.nanoTime() < deadline) {
                Green.sleep(Duration.ofMillis(5));
            }
            assertThat(t.isActive()).isFalse();
            assertThat(t.cancel()).isFalse();
        });
        // The dead letter was raised on the ticker: the handler runs on a green thread of its own.
        StallTest.waitUntil(() -> !deadLetters.isEmpty());
        assertThat(deadLetters).containsExactly("beat");
    }

    @Test
    void timersCanBeSetFromAPlatformThread() throws Exception {
        GreenHandle<Object> h = rt.spawn(() -> Green.receive(LONG));
        Green.sendAfter(h.pid(), "from main", Duration.ofMillis(10));
        assertThat(h.join()).isEqualTo("from main");
    }

    @Test
    void badInput() {
        List<Runnable> bad = new ArrayList<>();
        rt.run(() -> {
            Pid self = Green.self();
            assertThatThrownBy(() -> Green.sendAfter(null, "x", Duration.ZERO)).isInstanceOf(NullPointerException.class)
                    .hasMessageContaining("pid");
            assertThatThrownBy(() -> Green.sendAfter(self, null, Duration.ZERO)).isInstanceOf(NullPointerException.class)
                    .hasMessageContaining("msg");
            assertThatThrownBy(() -> Green.sendAfter(self, "x", null)).isInstanceOf(NullPointerException.class)
                    .hasMessageContaining("delay");
            assertThatThrownBy(() -> Green.sendAfter(self, "x", Duration.ofMillis(-1)))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("delay");
            assertThatThrownBy(() -> Green.sendEvery(self, "x", Duration.ofMillis(-1), Duration.ofMillis(5)))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("initialDelay");
            assertThatThrownBy(() -> Green.sendEvery(self, "x", Duration.ZERO, Duration.ZERO))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("period");
            assertThatThrownBy(() -> Green.sendEvery(self, "x", Duration.ZERO, Duration.ofMillis(-5)))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("period");
            assertThat(Green.mailboxSize()).isZero();
        });
        Pid ofClosed;
        try (Verdant other = Verdant.start(Config.builder().workers(1).build())) {
            ofClosed = other.spawn(() -> 1).pid();
        }
        assertThatThrownBy(() -> Green.sendAfter(ofClosed, "x", Duration.ZERO))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
        assertThat(bad).isEmpty();
    }
}
