package io.verdant.internal;

import io.verdant.Actors;
import io.verdant.CancelledException;
import io.verdant.Config;
import io.verdant.Green;
import io.verdant.GreenFailedException;
import io.verdant.GreenHandle;
import io.verdant.Verdant;
import io.verdant.internal.sched.SchedulerTestAccess;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A message that reaches an idle event actor after close began and before close
 * cancels it makes the actor runnable, but no dispatcher can run it: none is
 * alive (none was started, or the idle ones left as close began) and close
 * refuses to start one. Its cancellation then found it queued, not idle, and
 * left it to a dispatcher that never came: close waited its whole shutdown
 * timeout and abandoned the actor (its join threw "runtime closed before it
 * ended", its watchers were told so), with a WARNING. The window is forced with
 * the fault site CANCEL_MARKED (close's canceller, before it cancels the actor).
 */
@Timeout(90)
class EventActorQueuedAtCloseTest {
    @AfterEach
    void hooksOff() {
        SchedulerTestAccess.atSites(null);
    }

    @Test
    void anActorSentToAsCloseBeginsEndsCancelledWithoutWaitingForTheShutdownTimeout() throws Exception {
        String name = "queued-at-close";
        Duration shutdownTimeout = Duration.ofSeconds(20);
        Verdant rt = Verdant.start(Config.builder().workers(2).name(name).shutdownTimeout(shutdownTimeout).build());
        try {
            // Never sent to before close: no dispatcher was ever started.
            GreenHandle<Object> actor = Actors.spawner(rt).name("late").spawn(null, (state, m) -> state);
            AtomicInteger sends = new AtomicInteger();
            AtomicInteger delivered = new AtomicInteger();
            SchedulerTestAccess.atSites((w, site) -> {
                // Close's canceller (the only thread of that name), close begun, the actor
                // not yet cancelled (still idle): a message arrives now.
                if (site.equals("CANCEL_MARKED") && Thread.currentThread().getName().equals(name + "-close-cancels")
                        && !actor.isDone() && sends.getAndIncrement() == 0) {
                    if (Green.send(actor.pid(), "late")) {
                        delivered.incrementAndGet();
                    }
                }
            });
            long began = System.nanoTime();
            rt.close();
            long closeMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began);
            SchedulerTestAccess.atSites(null);
            assertThat(delivered.get()).as("the message reached the idle actor as close began").isEqualTo(1);
            assertThat(actor.isDone()).isTrue();
            // Ended by its cancellation, not abandoned by close.
            assertThatThrownBy(() -> actor.join(Duration.ofSeconds(20))).isInstanceOf(GreenFailedException.class)
                    .hasCauseInstanceOf(CancelledException.class);
            assertThat(closeMillis).as("close's time, ms (shutdown timeout: %s)", shutdownTimeout)
                    .isLessThan(shutdownTimeout.toMillis() / 2);
        } finally {
            SchedulerTestAccess.atSites(null);
            rt.close();
        }
    }
}
