package io.verdant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * {@code Green.joinAll} given the caller's own handle among others. Before, it
 * joined the handles in order and only reached its own at the end, so it
 * first waited for all the others: for ever if they waited for the caller
 * (here until the test gave up after 15 s), and then threw the
 * {@link IllegalStateException} of a self-join. It now throws it at once,
 * before waiting for any of them, as it does for a null handle.
 */
@Timeout(30)
class JoinAllSelfTest {

    @Test
    void joinAllWithTheCallersOwnHandleFailsBeforeWaiting() {
        try (Verdant rt = Verdant.start(Config.builder().workers(2).name("join-all-self").build())) {
            CountDownLatch released = new CountDownLatch(1);
            Throwable outcome = rt.run(() -> {
                // Ends only once the caller has got past joinAll (a worker waiting for it).
                GreenHandle<Void> other = Green.spawn(() -> {
                    released.await();
                    return null;
                });
                GreenHandle<Throwable> caller = Green.spawn(() -> catchThrowable(
                        () -> Green.joinAll(List.of(other, Green.runtime().handle(Green.self()).orElseThrow()))));
                try {
                    return caller.join(Duration.ofSeconds(15)); // at once when right: 15 s for a loaded machine
                } catch (TimedOutException stillWaiting) {
                    return stillWaiting;
                } finally {
                    released.countDown();
                    caller.join(Duration.ofSeconds(10));
                }
            });
            assertThat(outcome).isInstanceOf(IllegalStateException.class).hasMessageContaining("itself");
        }
    }
}
