package io.verdant.internal;

import io.verdant.AbandonedWaiters;
import io.verdant.Channel;
import io.verdant.Config;
import io.verdant.GreenHandle;
import io.verdant.Select;
import io.verdant.Verdant;
import io.verdant.internal.sched.SchedulerTestAccess;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A select whose result cannot be allocated (an OutOfMemoryError, injected at
 * SELECT_RESULT_ALLOCATING) throws that error having taken or sent nothing.
 * Before, the result was allocated after the case had fired: a buffered value
 * taken was lost, and a sender (or receiver) completed by the select was never
 * woken, blocked for ever with its value gone.
 * Needs -Dio.verdant.internal.faults=true (verdant-core's test build sets it).
 */
@Timeout(60)
class SelectResultOutOfMemoryTest {

    @AfterEach
    void removeHook() {
        SchedulerTestAccess.atSites(null);
    }

    private static AtomicBoolean failOneResult() {
        AtomicBoolean armed = new AtomicBoolean(true);
        SchedulerTestAccess.atSites((w, site) -> {
            // The hook is JVM-wide: only these tests' runtimes (their selects run on a carrier).
            if (site.equals("SELECT_RESULT_ALLOCATING") && w != null && w.getName().startsWith("select-result-oom-")
                    && armed.compareAndSet(true, false)) {
                throw new OutOfMemoryError("injected: the select result's allocation failed");
            }
        });
        return armed;
    }

    @Test
    void aBufferedValueIsNotLost() {
        Channel<String> ch = Channel.bounded(1);
        try (Verdant rt = Verdant.start(Config.builder().workers(1).name("select-result-oom-buffered").build())) {
            Optional<String> left = rt.run(() -> {
                ch.send("x");
                AtomicBoolean armed = failOneResult();
                assertThatThrownBy(() -> Select.<String>create().onReceive(ch, v -> v).select())
                        .isInstanceOf(OutOfMemoryError.class);
                assertThat(armed).as("the fault site was reached").isFalse();
                return ch.tryReceive();
            });
            assertThat(left).as("the buffered value after the failed select").contains("x");
        }
    }

    @Test
    void aWaitingSenderIsNotLeftBlocked() throws Exception {
        Channel<String> ch = Channel.rendezvous();
        try (Verdant rt = Verdant.start(Config.builder().workers(2).name("select-result-oom-sender")
                .shutdownTimeout(Duration.ofSeconds(2)).build())) {
            GreenHandle<Void> sender = rt.spawn(() -> {
                ch.send("x");
                return null;
            });
            // On a loaded machine the sender can park for a moment on its way into the
            // channel, and a select made then finds no sender and waits for good.
            AbandonedWaiters.awaitWaitingForGood(sender);
            String got = rt.run(() -> {
                AtomicBoolean armed = failOneResult();
                assertThatThrownBy(() -> Select.<String>create().onReceive(ch, v -> v).select())
                        .isInstanceOf(OutOfMemoryError.class);
                assertThat(armed).as("the fault site was reached").isFalse();
                return ch.receive(Duration.ofSeconds(20)); // the sender waits there: at once
            });
            assertThat(got).as("the sender's value").isEqualTo("x");
            sender.join(Duration.ofSeconds(20));
        }
    }
}
