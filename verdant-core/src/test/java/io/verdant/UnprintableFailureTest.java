package io.verdant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * A failure whose getMessage() (so toString()) throws is still delivered as
 * documented: joiners get a GreenFailedException with it as the cause, a
 * linked thread is killed with a LinkedFailureException, and the monitors
 * after the link still get their Down. Before, the message of the wrapping
 * exception was built from toString(): the join threw the getMessage's
 * exception instead, and the exit stopped at the link, so monitors waited for
 * ever.
 */
@Timeout(60)
class UnprintableFailureTest {
    /** Silent: the failures here are observed, and a handler keeps them off the log. */
    private static final Config CONFIG = Config.builder().workers(2).failureHandler((h, t) -> { }).build();

    /** A failure whose message cannot be computed (a lazily built message whose source is gone). */
    static final class Unprintable extends RuntimeException {
        private static final long serialVersionUID = 1L;

        @Override
        public String getMessage() {
            throw new IllegalStateException("message source closed");
        }
    }

    @Test
    void aJoinerGetsGreenFailedExceptionWithTheFailureAsItsCause() {
        try (Verdant rt = Verdant.start(CONFIG)) {
            Unprintable boom = new Unprintable();
            GreenHandle<Void> h = rt.spawn(() -> {
                throw boom;
            });
            Throwable thrown = catchThrowable(() -> h.join(Duration.ofSeconds(20)));
            assertThat(thrown).isInstanceOf(GreenFailedException.class).hasCause(boom);
            assertThat(thrown.getMessage()).contains(Unprintable.class.getName());
        }
    }

    @Test
    void aLinkedThreadIsKilledAndAMonitorGetsItsDown() throws Exception {
        try (Verdant rt = Verdant.start(CONFIG)) {
            Unprintable boom = new Unprintable();
            CountDownLatch watching = new CountDownLatch(2);
            CountDownLatch go = new CountDownLatch(1);
            GreenHandle<Void> failing = rt.spawn(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    throw new AssertionError(e);
                }
                throw boom;
            });
            GreenHandle<Void> linked = rt.spawn(() -> {
                Green.link(failing.pid());
                watching.countDown();
                Green.receive(String.class); // until killed along the link
            });
            GreenHandle<Signal.Down> monitor = rt.spawn(() -> {
                Green.monitor(failing.pid());
                watching.countDown();
                return Green.receive(Signal.Down.class, Duration.ofSeconds(20));
            });
            assertThat(watching.await(20, TimeUnit.SECONDS)).isTrue();
            go.countDown();
            Signal.Down down = monitor.join(Duration.ofSeconds(30));
            assertThat(down).as("the monitor's Down").isNotNull();
            assertThat(down.failure()).isSameAs(boom);
            Throwable killed = catchThrowable(() -> linked.join(Duration.ofSeconds(20)));
            assertThat(killed).isInstanceOf(GreenFailedException.class);
            assertThat(killed.getCause()).isInstanceOf(LinkedFailureException.class).hasCause(boom);
        }
    }
}
