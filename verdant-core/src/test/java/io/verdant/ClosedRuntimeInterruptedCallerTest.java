package io.verdant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code Verdant.run} and {@code Verdant.call} on a closed runtime throw the
 * IllegalStateException their javadoc lists for a closed runtime, also for a
 * caller that is interrupted (a platform thread, or a green thread of another
 * runtime): the closed check comes before the look at the interrupt. Before, such a caller
 * got CancelledException. The interrupt status stays set either way.
 */
@Timeout(60)
class ClosedRuntimeInterruptedCallerTest {

    @Test
    void anInterruptedPlatformCallerOfAClosedRuntimeGetsIllegalStateException() {
        AtomicInteger ran = new AtomicInteger();
        Verdant rt = Verdant.start(Config.builder().workers(1).name("closed-interrupted").build());
        Pid callee;
        try {
            callee = rt.spawn(() -> Green.receive(Object.class)).pid();
        } finally {
            rt.close();
        }
        assertClosedRefusal(() -> rt.run(ran::incrementAndGet), "run(Callable)");
        assertClosedRefusal(() -> rt.run(() -> { ran.incrementAndGet(); }), "run(Runnable)");
        assertClosedRefusal(() -> rt.call(callee, r -> "ping", String.class, Duration.ofSeconds(20)), "call");
        assertThat(ran.get()).as("bodies run").isZero();
    }

    @Test
    void anInterruptedGreenCallerOfAnotherRuntimeGetsIllegalStateException() {
        Verdant closed = Verdant.start(Config.builder().workers(1).name("closed-other").build());
        Pid callee;
        try {
            callee = closed.spawn(() -> Green.receive(Object.class)).pid();
        } finally {
            closed.close();
        }
        try (Verdant rt = Verdant.start(Config.builder().workers(1).name("closed-caller").build())) {
            String seen = rt.run(() -> {
                StringBuilder out = new StringBuilder();
                for (String what : new String[] {"run", "call"}) {
                    Thread.currentThread().interrupt();
                    try {
                        if (what.equals("run")) {
                            closed.run(() -> "body");
                        } else {
                            closed.call(callee, r -> "ping", String.class, Duration.ofSeconds(20));
                        }
                        out.append(what).append(":returned ");
                    } catch (RuntimeException e) {
                        out.append(what).append(':').append(e.getClass().getSimpleName()).append(' ');
                    } finally {
                        out.append(Thread.interrupted() ? "set " : "cleared ");
                    }
                }
                return out.toString().trim();
            });
            assertThat(seen).isEqualTo("run:IllegalStateException set call:IllegalStateException set");
        }
    }

    private static void assertClosedRefusal(org.assertj.core.api.ThrowableAssert.ThrowingCallable call, String what) {
        Thread.currentThread().interrupt();
        try {
            assertThatThrownBy(call).as(what).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
        } finally {
            assertThat(Thread.interrupted()).as(what + ": the interrupt status stays set").isTrue();
        }
    }
}
