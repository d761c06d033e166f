package io.verdant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.Callable;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * A deterministic runtime's clock starts at 0, so a long timeout lands near
 * Long.MAX_VALUE nanoseconds of virtual time, where the timer wheel's ticks
 * (1 ms) run out: a deadline after the start of the last whole tick (a
 * sendAfter of ChronoUnit.FOREVER, whose due time saturates to Long.MAX_VALUE,
 * or a sleep of Long.MAX_VALUE - 1 ns) can never be reached. The run must end
 * as any run whose threads wait for nothing that can come: a DeadlockException.
 * Before the fix the wheel's next deadline, the tick's start in nanoseconds,
 * overflowed once virtual time came near it, and the scheduler advanced the
 * clock 1 ns at a time, for ever: the run hung (both tests timed out).
 */
@Timeout(60)
class UnreachableDeadlineDeterministicTest {
    @Test
    void aReceiveForASendAfterOfForeverIsADeadlock() {
        assertThat(runExpectingFailure(() -> {
            Green.sendAfter(Green.self(), "never", ChronoUnit.FOREVER.getDuration());
            return Green.receive();
        })).isInstanceOf(DeadlockException.class);
    }

    @Test
    void aSleepEndingInTheLastTickOfTheClockIsADeadlock() {
        assertThat(runExpectingFailure(() -> {
            Green.sleep(Duration.ofNanos(Long.MAX_VALUE - 1));
            return null;
        })).isInstanceOf(DeadlockException.class);
    }

    /** Runs {@code body} deterministically; what rt.run threw, within 30 s (the runtime closed either way). */
    private static Throwable runExpectingFailure(Callable<Object> body) {
        Verdant rt = Verdant.deterministic(DetRuns.QUIET, Determinism.seed(1));
        try {
            return assertTimeoutPreemptively(Duration.ofSeconds(30), () -> catchThrowable(() -> rt.run(body)),
                    "the run neither ended nor failed");
        } finally {
            rt.close();
        }
    }
}
