package io.verdant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;

import static io.verdant.StallTest.waitUntil;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link Green#joinAll}: a handle whose runtime's close abandoned it (its join throws
 * {@link CancelledException}) is an outcome like a failure, not the caller's
 * cancellation: the handles after it are still waited for.
 */
@Timeout(60)
class JoinAllAbandonedTest {
    @Test
    void aHandleAbandonedByItsRuntimesCloseDoesNotCutTheWaitForTheOthersShort() throws Exception {
        GreenHandle<Object> abandoned = AbandonedWaiters.abandonedReceiver("joinall-closed");
        assertThat(abandoned.state()).isEqualTo(GreenState.FAILED);
        assertThat(abandoned.exceptionNow()).isInstanceOf(CancelledException.class);

        try (Verdant rt = Verdant.start(Config.builder().workers(2).name("joinall").build())) {
            CountDownLatch release = new CountDownLatch(1);
            GreenHandle<String> later = rt.spawn(() -> {
                release.await();
                return "later";
            });
            try {
                GreenHandle<String> caller = rt.spawn(() -> {
                    try {
                        Green.joinAll(List.of(abandoned, later));
                        return "returned";
                    } catch (CancelledException e) {
                        return "CancelledException, the later handle done: " + later.isDone();
                    }
                });
                waitUntil(() -> caller.isDone() || caller.state() == GreenState.WAITING);
                release.countDown();
                assertThat(caller.join(Duration.ofSeconds(20)))
                        .isEqualTo("CancelledException, the later handle done: true");
            } finally {
                release.countDown();
            }
        }
    }
}
