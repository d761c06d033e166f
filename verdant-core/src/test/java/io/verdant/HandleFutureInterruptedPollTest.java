package io.verdant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@code get(0, unit)} (or a negative timeout) of a {@link GreenHandle#asFuture()}
 * view whose thread still runs, called by an interrupted thread, throws
 * {@link InterruptedException} and clears the interrupt status, as
 * {@code FutureTask}'s does (and as {@code join(Duration.ZERO)} reports the
 * interrupt). Before, it threw TimeoutException, so a polling loop never saw
 * its interrupt through get.
 */
@Timeout(30)
class HandleFutureInterruptedPollTest {

    @Test
    void anInterruptedPollThrowsInterruptedException() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        try (Verdant rt = Verdant.start(Config.builder().workers(2).name("fpoll").build())) {
            try {
                Future<String> f = rt.spawn(() -> {
                    release.await();
                    return "released";
                }).asFuture();
                for (long timeout : new long[] {0, -1}) {
                    Thread.currentThread().interrupt();
                    try {
                        assertThatThrownBy(() -> f.get(timeout, TimeUnit.SECONDS))
                                .isInstanceOf(InterruptedException.class);
                        assertThat(Thread.currentThread().isInterrupted()).as("interrupt status cleared").isFalse();
                    } finally {
                        Thread.interrupted();
                    }
                }
                assertThat(f.state()).isEqualTo(Future.State.RUNNING);
                release.countDown();
                assertThat(f.get(10, TimeUnit.SECONDS)).isEqualTo("released");
                // done: the result, whatever the interrupt status (as FutureTask)
                Thread.currentThread().interrupt();
                try {
                    assertThat(f.get(0, TimeUnit.SECONDS)).isEqualTo("released");
                    assertThat(Thread.currentThread().isInterrupted()).isTrue();
                } finally {
                    Thread.interrupted();
                }
            } finally {
                release.countDown();
            }
        }
    }
}
