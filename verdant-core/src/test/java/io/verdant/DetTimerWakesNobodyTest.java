package io.verdant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * A deterministic run whose green threads all wait on something no timer
 * ends, while a periodic timer ({@code SendTimer} from {@code Green.sendEvery})
 * keeps firing without making any of them runnable, fails instead of hanging:
 * the carrier moved virtual time to the next tick forever, taking no step, so
 * neither {@code maxSteps} nor the slice watchdog nor the deadlock report
 * (a timer was always pending) ever ended the run.
 */
@Timeout(120)
class DetTimerWakesNobodyTest {
    /** Generous: the run should fail within milliseconds of real time. */
    private static final long BOUND_SECONDS = 30;

    /**
     * Runs {@code body} on a fresh deterministic runtime from a platform thread;
     * returns what {@code rt.run} threw (null if it returned), or fails the test
     * if it has not ended within the bound (then closes the runtime, which
     * cancels the waiting threads and so stops the timer).
     */
    private static Throwable runBounded(Determinism d, java.util.concurrent.Callable<?> body) throws Exception {
        try (Verdant rt = Verdant.deterministic(DetRuns.SILENT, d)) {
            CompletableFuture<Throwable> outcome = new CompletableFuture<>();
            Thread.ofPlatform().daemon().name("det-timer-runner").start(() -> {
                try {
                    rt.run(body);
                    outcome.complete(null);
                } catch (Throwable t) {
                    outcome.complete(t);
                }
            });
            try {
                return outcome.get(BOUND_SECONDS, TimeUnit.SECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
                fail("the run did not end within " + BOUND_SECONDS + " s: virtual time at " + rt.trace().virtualNanos()
                        + " ns, " + rt.trace().steps() + " steps");
                return null;
            }
        }
    }

    @Test
    void aPeriodicTimerThatWakesNobodyDoesNotHangTheRun() throws Exception {
        Throwable t = runBounded(Determinism.seed(1).maxSteps(10_000), () -> {
            Channel<String> never = Channel.rendezvous();
            // Its mailbox takes the ticks (a dropping one would start a dead-letter handler for each: steps).
            GreenHandle<String> waiter = Green.spawner().name("waiter").spawn(() -> never.receive());
            Green.sendEvery(waiter.pid(), "tick", Duration.ofSeconds(1), Duration.ofSeconds(1));
            return waiter.join();
        });
        assertThat(t).isInstanceOf(ScheduleFailedException.class);
        assertThat(t.getMessage())
                .startsWith("[replay v1:random:0x1:maxSteps=10000]")
                .contains("Determinism.maxSteps")
                .contains("'waiter'")
                .contains("Channel");
    }

    @Test
    void aPeriodicTimerThatWakesNobodyAfterTheBodyDoesNotHangTheLeakCheck() throws Exception {
        Throwable t = runBounded(Determinism.seed(2).maxSteps(10_000).failOnLeak(true), () -> {
            Channel<String> never = Channel.rendezvous();
            GreenHandle<String> waiter = Green.spawner().name("leaked").spawn(() -> never.receive());
            Green.sendEvery(waiter.pid(), "tick", Duration.ofSeconds(1), Duration.ofSeconds(1));
            Green.yield();
            return "done";
        });
        assertThat(t).isInstanceOf(ScheduleFailedException.class);
        assertThat(t.getMessage()).contains("leak").contains("Determinism.maxSteps").contains("'leaked'");
    }

    @Test
    void manyOneShotTimersThatWakeNobodyAreNoLivelockUnderASmallStepLimit() throws Exception {
        // 2,000 messages sent after distinct delays to a thread that sleeps past them all: 2,000 moves of
        // virtual time without a step, more than maxSteps, yet a finite program that ends.
        Throwable t = runBounded(Determinism.seed(4).maxSteps(100), () -> {
            GreenHandle<Integer> sleeper = Green.spawn(() -> {
                Green.sleep(Duration.ofHours(1));
                return Green.mailboxSize();
            });
            for (int i = 1; i <= 2_000; i++) {
                Green.sendAfter(sleeper.pid(), i, Duration.ofMillis(i));
            }
            int got = sleeper.join();
            if (got != 2_000) {
                throw new AssertionError("mailbox held " + got);
            }
            return got;
        });
        assertThat(t).isNull();
    }

    @Test
    void aPeriodicTimerThatWakesItsReceiverIsNoLivelockUntilMaxSteps() throws Exception {
        // The ticks wake the receiver, which counts them: steps, not idle advances. 100 ticks pass.
        Throwable t = runBounded(Determinism.seed(3).maxSteps(10_000), () -> {
            SendTimer timer = Green.sendEvery(Green.self(), "tick", Duration.ofSeconds(1), Duration.ofSeconds(1));
            for (int i = 0; i < 100; i++) {
                Green.receive();
            }
            timer.cancel();
            return Green.nanoTime();
        });
        assertThat(t).isNull();
    }
}
