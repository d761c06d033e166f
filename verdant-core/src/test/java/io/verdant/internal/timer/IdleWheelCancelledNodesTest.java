package io.verdant.internal.timer;

import io.verdant.Config;
import io.verdant.Determinism;
import io.verdant.Green;
import io.verdant.GreenHandle;
import io.verdant.GreenState;
import io.verdant.Pid;
import io.verdant.TestWaits;
import io.verdant.Verdant;
import io.verdant.internal.RuntimeCore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A cancelled timer's node (48 bytes) stays in the wheel until its next drain
 * (TimerWheel, "Memory"): what the wheel holds after many timed waits armed
 * with far deadlines and cancelled, or completed early, must not grow with
 * their number. A real-time runtime's ticker, asleep towards an hour-long
 * deadline, is woken by each new timer and drains; a deterministic runtime
 * drains only when all its green threads wait, so a thread that never lets
 * it go quiet left every node in the inbox (1,000,000 nodes for 1,000,000
 * cancelled sendAfter) until the wheel began to purge itself every
 * {@link TimerWheel#PURGE_DEPTH} pushes. Counted by {@link TimerWheel#nodesHeld()}.
 */
@Timeout(300)
class IdleWheelCancelledNodesTest {
    private static final Duration HOUR = Duration.ofHours(1);
    private static final int[] CHECKPOINTS = {10_000, 100_000, 1_000_000};
    /** Nodes a purging wheel may hold besides the armed timers: the inbox below a
     * purge, and the cancelled nodes it had linked. */
    private static final int BOUND = 2 * TimerWheel.PURGE_DEPTH;

    @Test
    void anIdleRuntimeKeepsNoNodeOfAMillionSendTimersCancelledFromAPlatformThread() throws Exception {
        try (Verdant rt = Verdant.start(Config.builder().workers(1).name("idle-wheel").build())) {
            // The addressee waits with no timeout: the runtime is idle but for the timers below.
            GreenHandle<Object> addressee = rt.spawn(() -> Green.receive());
            TestWaits.until(() -> addressee.state() == GreenState.WAITING, "the addressee waits");
            TimerWheel wheel = RuntimeCore.of(addressee.pid()).timers;
            List<Integer> held = new ArrayList<>();
            int done = 0;
            for (int checkpoint : CHECKPOINTS) {
                for (; done < checkpoint; done++) {
                    assertThat(Green.sendAfter(addressee.pid(), "late", HOUR).cancel()).isTrue();
                }
                // However late a loaded machine runs the ticker, the pushes purge the wheel.
                held.add(wheel.nodesHeld());
                // Each push woke the ticker, which drains before it sleeps again: at most the
                // last node (cancelled after that drain) stays, not one per cancelled timer.
                TestWaits.until(() -> wheel.nodesHeld() <= 1,
                        "the wheel holds at most the last of " + done + " cancelled hour-long timers");
            }
            assertThat(held).as("nodes held at once after 10k, 100k, 1M cancelled hour-long timers")
                    .allSatisfy(n -> assertThat(n).isLessThanOrEqualTo(BOUND));
            assertThat(addressee.isDone()).as("nothing was sent").isFalse();
        }
    }

    @Test
    void anIdleRuntimeKeepsNoNodeOfTimedReceivesAnsweredEarly() throws Exception {
        try (Verdant rt = Verdant.start(Config.builder().workers(1).name("idle-wheel-pp").build())) {
            int rounds = 100_000;
            List<Integer> held = new ArrayList<>();
            TimerWheel wheel = rt.run(() -> {
                TimerWheel w = RuntimeCore.of(Green.self()).timers;
                pingPong(rounds, w, held);
                return w;
            });
            // The runtime is idle again: its ticker drained before it slept.
            assertThat(held).as("nodes held after 10k and 100k rounds of hour-long receives answered at once")
                    .allSatisfy(n -> assertThat(n).isLessThanOrEqualTo(BOUND));
            TestWaits.until(() -> wheel.nodesHeld() <= 1,
                    "the wheel holds at most the last of " + rounds + " hour-long receives answered early");
        }
    }

    @Test
    void aDeterministicRuntimeNeverQuietHoldsABoundedNumberOfCancelledSendTimers() {
        List<Integer> held = new ArrayList<>();
        try (Verdant rt = Verdant.deterministic(Config.builder().build(),
                Determinism.seed(1).maxSteps(100_000_000))) {
            rt.run(() -> {
                TimerWheel wheel = RuntimeCore.of(Green.self()).timers;
                int done = 0;
                for (int checkpoint : CHECKPOINTS) {
                    for (; done < checkpoint; done++) {
                        Green.sendAfter(Green.self(), "late", HOUR).cancel();
                    }
                    held.add(wheel.nodesHeld());
                }
                return null;
            });
        }
        assertThat(held).as("nodes held after 10k, 100k, 1M cancelled hour-long sendAfter (never a quiet moment)")
                .allSatisfy(n -> assertThat(n).isLessThanOrEqualTo(BOUND));
    }

    @Test
    void aDeterministicPingPongHoldsABoundedNumberOfNodesOfItsTimedReceives() {
        List<Integer> held = new ArrayList<>();
        try (Verdant rt = Verdant.deterministic(Config.builder().build(),
                Determinism.seed(1).maxSteps(1_000_000_000))) {
            rt.run(() -> {
                pingPong(100_000, RuntimeCore.of(Green.self()).timers, held);
                return null;
            });
        }
        assertThat(held).as("nodes held after 10k and 100k rounds of hour-long receives answered at once")
                .allSatisfy(n -> assertThat(n).isLessThanOrEqualTo(BOUND));
    }

    /**
     * Green only: {@code rounds} rounds of a ping-pong with an echo thread in which
     * both sides wait for an hour and are answered at once; adds the nodes the wheel
     * holds at each checkpoint to {@code held}.
     */
    private static void pingPong(int rounds, TimerWheel wheel, List<Integer> held) throws Exception {
        Pid self = Green.self();
        GreenHandle<Void> echo = Green.spawn(() -> {
            for (;;) {
                if (!(Green.receive(HOUR) instanceof Pid back)) {
                    return null;
                }
                Green.send(back, "pong");
            }
        });
        for (int i = 1; i <= rounds; i++) {
            Green.send(echo.pid(), self);
            assertThat(Green.receive(HOUR)).isEqualTo("pong");
            for (int c : CHECKPOINTS) {
                if (c == i) {
                    held.add(wheel.nodesHeld());
                }
            }
        }
        Green.send(echo.pid(), "stop");
        echo.join(Duration.ofSeconds(60));
    }
}
