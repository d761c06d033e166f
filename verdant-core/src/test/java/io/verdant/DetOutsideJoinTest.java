package io.verdant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An untimed {@code join()} of a deterministic runtime's green thread by the
 * test thread (a handle from {@code rt.spawn}, or one the body returned)
 * reports what {@code rt.run} reports: a deadlock, a refused input. Before,
 * the join waited on the handle alone: a deadlock was never reported (with
 * nobody in {@code rt.run}, roots that all wait were taken to wait for a body
 * still to come) and the join hung; a refused JDK timed wait failed a run
 * nobody looked at, and the join returned the thread's result as if nothing
 * had happened.
 */
@Timeout(120)
class DetOutsideJoinTest {
    /** Generous: each join should end within milliseconds. */
    private static final long BOUND_SECONDS = 30;

    private static Object joinBounded(Determinism d, Function<Verdant, Object> call) throws Exception {
        return DetRuns.callFromOutsideBounded(d, BOUND_SECONDS, "the join", call);
    }

    @Test
    void aJoinFromOutsideOfADeadlockedThreadGetsTheDeadlock() throws Exception {
        Object r = joinBounded(Determinism.seed(1), rt -> {
            Channel<Integer> never = Channel.rendezvous();
            return rt.spawn(() -> never.receive()).join();
        });
        assertThat(r).isInstanceOf(DeadlockException.class);
        assertThat(((Throwable) r).getMessage()).startsWith("[replay v1:random:0x1]").contains("Channel");
    }

    @Test
    void aJoinFromOutsideOfAThreadLeftWaitingByTheBodyGetsTheDeadlock() throws Exception {
        Object r = joinBounded(Determinism.seed(2), rt -> {
            Channel<Integer> never = Channel.rendezvous();
            GreenHandle<Integer> left = rt.run(() -> Green.spawner().name("left").spawn(() -> never.receive()));
            return left.join();
        });
        assertThat(r).isInstanceOf(DeadlockException.class);
        assertThat(((Throwable) r).getMessage()).contains("left").contains("Channel");
    }

    @Test
    void aJoinFromOutsideOfAThreadThatMakesAJdkTimedWaitGetsTheRefusal() throws Exception {
        Object r = joinBounded(Determinism.seed(3), rt -> rt.spawn(() -> {
            Thread.sleep(1_000);
            return 1;
        }).join());
        assertThat(r).isInstanceOf(ScheduleFailedException.class);
        assertThat(((Throwable) r).getMessage()).contains("Thread.sleep");
    }

    @Test
    void aJoinFromOutsideReturnsWhatTheThreadReturnsAfterVirtualTime() throws Exception {
        Object r = joinBounded(Determinism.seed(4), rt -> rt.spawn(() -> {
            Green.sleep(Duration.ofHours(1));
            return Green.nanoTime();
        }).join());
        assertThat(r).isEqualTo(Duration.ofHours(1).toNanos());
        Object inner = joinBounded(Determinism.seed(5), rt -> {
            GreenHandle<Long> h = rt.run(() -> Green.spawn(() -> {
                Green.sleep(Duration.ofMinutes(5));
                return Green.nanoTime();
            }));
            return h.join();
        });
        assertThat(inner).isEqualTo(Duration.ofMinutes(5).toNanos());
    }
}
