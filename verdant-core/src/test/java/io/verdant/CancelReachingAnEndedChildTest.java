package io.verdant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A cancel of a parent walks its children one after the other; a child that
 * ends normally after the walk found it and before the walk reaches it has
 * finished, and cancelling a finished thread is a no-op: its onCancel actions
 * must not run. The other child's onCancel action holds the walk open until
 * the first child has ended (the walk takes the children last-found first).
 */
@Timeout(60)
class CancelReachingAnEndedChildTest {

    @Test
    void theOnCancelActionsOfAChildThatEndedBeforeTheWalkReachedItDoNotRun() throws Exception {
        for (int round = 0; round < 5; round++) {
            try (Verdant rt = Verdant.start(Config.builder().workers(2).name("ended-child").build())) {
                AtomicReference<GreenHandle<String>> first = new AtomicReference<>();
                CountDownLatch ready = new CountDownLatch(2);
                CountDownLatch release = new CountDownLatch(1);
                CountDownLatch handleSet = new CountDownLatch(1);
                AtomicInteger ranAfterEnd = new AtomicInteger();
                AtomicInteger ranWhileAlive = new AtomicInteger();
                GreenHandle<Void> parent = rt.spawn(() -> {
                    first.set(Green.spawn(() -> {
                        handleSet.await();
                        GreenHandle<?> self = first.get();
                        Green.cancelToken().onCancel(() -> {
                            if (self != null && self.isDone()) {
                                ranAfterEnd.incrementAndGet();
                            } else {
                                ranWhileAlive.incrementAndGet();
                            }
                        });
                        ready.countDown();
                        release.await(); // a JDK wait: the cancel has not reached this thread yet
                        return "done";
                    }));
                    handleSet.countDown();
                    Green.spawn(() -> {
                        Green.cancelToken().onCancel(() -> {
                            // On the canceller, before the walk reaches the first child: it ends now.
                            release.countDown();
                            try {
                                first.get().join();
                            } catch (RuntimeException e) {
                                // it was cancelled first after all (another walk order): nothing to check
                            }
                        });
                        ready.countDown();
                        Green.sleep(Duration.ofDays(1));
                    });
                    Green.sleep(Duration.ofDays(1));
                });
                assertThat(ready.await(20, TimeUnit.SECONDS)).isTrue();
                assertThat(first.get()).isNotNull();
                parent.cancel();
                if (ranWhileAlive.get() == 0) {
                    assertThat(first.get().join()).isEqualTo("done");
                }
                assertThat(ranAfterEnd.get()).as("onCancel actions run for a child that had ended, round " + round)
                        .isZero();
            }
        }
    }
}
