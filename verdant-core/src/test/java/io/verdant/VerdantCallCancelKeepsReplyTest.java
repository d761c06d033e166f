package io.verdant;

import io.verdant.internal.GreenThread;
import io.verdant.internal.sched.SchedulerTestAccess;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code Verdant.call} whose caller is interrupted after the temporary calling
 * thread took the reply and before it ended (held there at fault site
 * SLOT_EMPTIED): the reply is the call's result, never dropped unseen. Before,
 * the caller got CancelledException and the reply vanished, no dead letter.
 */
@Timeout(60)
class VerdantCallCancelKeepsReplyTest {
    record Ask(Pid replyTo) {
    }

    @AfterEach
    void uninstall() {
        SchedulerTestAccess.atSites(null);
    }

    @Test
    void aReplyTheCallingThreadTookIsReturnedToAnInterruptedCaller() throws Exception {
        try (Verdant rt = Verdant.start(Config.builder().workers(2).name("call-cancel-keeps").build())) {
            GreenHandle<Void> callee = rt.spawn(() -> {
                for (;;) {
                    if (Green.receive() instanceof Ask(Pid replyTo)) {
                        Green.send(replyTo, 42);
                    }
                }
            });
            AtomicReference<Object> outcome = new AtomicReference<>();
            CountDownLatch callEnded = new CountDownLatch(1);
            AtomicBoolean stillInterrupted = new AtomicBoolean();
            Thread caller = new Thread(() -> {
                try {
                    outcome.set(rt.call(callee.pid(), Ask::new, Integer.class, Duration.ofSeconds(30)));
                } catch (Throwable t) {
                    outcome.set(t);
                } finally {
                    stillInterrupted.set(Thread.currentThread().isInterrupted());
                    callEnded.countDown();
                }
            }, "platform caller");
            AtomicBoolean armed = new AtomicBoolean(true);
            AtomicBoolean held = new AtomicBoolean();
            SchedulerTestAccess.atSites((w, site) -> {
                // The hook is JVM-wide: only a calling thread of this runtime (every runtime's
                // calling threads are named "call ...").
                GreenThread<?> g = GreenThread.current();
                if (site.equals("SLOT_EMPTIED") && g != null && g.runtime().name.equals("call-cancel-keeps")
                        && g.name() != null && g.name().startsWith("call ") && armed.compareAndSet(true, false)) {
                    // The calling thread has taken the reply and returned it; it has not ended yet.
                    held.set(true);
                    caller.interrupt();
                    // Bounded spin (the ending thread holds its carrier, as it would): until the
                    // call gave up (before the fix) or for a second (a call that waits for this end).
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
                    while (callEnded.getCount() > 0 && System.nanoTime() < deadline) {
                        Thread.onSpinWait();
                    }
                }
            });
            caller.start();
            assertThat(callEnded.await(30, TimeUnit.SECONDS)).isTrue();
            caller.join(TimeUnit.SECONDS.toMillis(10));
            assertThat(held.get()).as("the caller was interrupted while the calling thread was ending").isTrue();
            assertThat(outcome.get()).as("the reply the calling thread took").isEqualTo(42);
            assertThat(stillInterrupted.get()).as("the interrupt stays set for the caller's next wait").isTrue();
            assertThat(rt.deadLetterCount()).isZero();
            callee.cancel();
        }
    }
}
