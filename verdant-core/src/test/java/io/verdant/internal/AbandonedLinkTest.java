package io.verdant.internal;

import io.verdant.CancelledException;
import io.verdant.Config;
import io.verdant.Green;
import io.verdant.GreenHandle;
import io.verdant.LinkedFailureException;
import io.verdant.Pid;
import io.verdant.Signal;
import io.verdant.Verdant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Links across runtimes when close abandons one side. A green thread of a live
 * runtime linked to a thread that another runtime's close abandoned is told as
 * by a failure (its outcome is a CancelledException): a Signal.Failure if it
 * traps exits, else it is stopped with a LinkedFailureException; and it keeps
 * no link to the abandoned thread. Before, the exit signal never came (a
 * trapping thread waited for ever) and the link was left in place.
 */
@Timeout(60)
class AbandonedLinkTest {

    /** A body that ignores cancellation and interrupts: close abandons it. */
    private static Object stubborn(CountDownLatch parked) {
        parked.countDown();
        while (true) {
            LockSupport.park();
            Thread.interrupted();
        }
    }

    private static Config closingFast(String name) {
        return Config.builder().workers(1).name(name).shutdownTimeout(Duration.ofMillis(50)).build();
    }

    @Test
    void aTrappingPeerInAnotherRuntimeGetsTheFailureOfALinkAbandonedAtClose() throws Exception {
        try (Verdant a = Verdant.start(Config.builder().workers(1).name("abandoned-link-a").build())) {
            Verdant b = Verdant.start(closingFast("abandoned-link-b"));
            CountDownLatch parked = new CountDownLatch(1);
            GreenHandle<Object> t = b.spawn(() -> stubborn(parked));
            Pid tPid = t.pid();
            assertThat(parked.await(20, TimeUnit.SECONDS)).isTrue();
            CountDownLatch linked = new CountDownLatch(1);
            CountDownLatch closed = new CountDownLatch(1);
            GreenHandle<String> w = a.spawn(() -> {
                Green.trapExits(true);
                assertThat(Green.link(tPid)).isTrue();
                linked.countDown();
                Object sig = Green.receive(m -> m instanceof Signal, Duration.ofSeconds(20));
                closed.await(20, TimeUnit.SECONDS);
                return (sig == null ? "nothing" : sig.getClass().getSimpleName() + " " + ((Signal) sig).pid().equals(tPid)
                        + " " + ((Signal.Failure) sig).cause().getClass().getSimpleName())
                        + ", links " + ActorCell.of(GreenThread.current()).linkCount();
            });
            assertThat(linked.await(20, TimeUnit.SECONDS)).isTrue();

            b.close();
            closed.countDown();

            assertThat(t.isDone()).as("abandoned").isTrue();
            assertThat(w.join(Duration.ofSeconds(20)))
                    .isEqualTo("Failure true " + CancelledException.class.getSimpleName() + ", links 0");
        }
    }

    @Test
    void aPeerInAnotherRuntimeThatDoesNotTrapIsStoppedByALinkAbandonedAtClose() throws Exception {
        try (Verdant a = Verdant.start(Config.builder().workers(1).name("abandoned-link-c").build())) {
            Verdant b = Verdant.start(closingFast("abandoned-link-d"));
            CountDownLatch parked = new CountDownLatch(1);
            GreenHandle<Object> t = b.spawn(() -> stubborn(parked));
            Pid tPid = t.pid();
            assertThat(parked.await(20, TimeUnit.SECONDS)).isTrue();
            CountDownLatch linked = new CountDownLatch(1);
            GreenHandle<Object> w = a.spawn(() -> {
                assertThat(Green.link(tPid)).isTrue();
                linked.countDown();
                return Green.receive(Duration.ofSeconds(30)); // null if never stopped
            });
            assertThat(linked.await(20, TimeUnit.SECONDS)).isTrue();

            b.close();

            assertThat(t.isDone()).as("abandoned").isTrue();
            assertThatThrownBy(() -> w.join(Duration.ofSeconds(20))).as("stopped by the link")
                    .hasRootCauseInstanceOf(CancelledException.class);
            Throwable failure = w.exceptionNow();
            assertThat(failure).isInstanceOf(LinkedFailureException.class);
            assertThat(((LinkedFailureException) failure).source()).isEqualTo(tPid);
        }
    }
}
