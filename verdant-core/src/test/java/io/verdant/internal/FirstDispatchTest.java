package io.verdant.internal;

import io.verdant.Config;
import io.verdant.Verdant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.locks.LockSupport;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The first dispatch of a green thread clears its queued flag with a plain
 * store (GreenThread, "One queued copy"). Threads that park right after their
 * first dispatch are unparked from a platform thread while another platform
 * thread walks their stacks (the JDK resubmits a runnable thread after a walk):
 * a clear that a later submission did not see would drop that submission and
 * leave the thread parked for good, so its join would time out.
 */
@Timeout(120)
class FirstDispatchTest {

    @Test
    void threadsUnparkedRightAfterTheirFirstRunAllEndWhileStacksAreWalked() throws Exception {
        int n = 2_000;
        try (Verdant rt = Verdant.start(Config.builder().workers(2).name("first-dispatch").build())) {
            for (int round = 0; round < 5; round++) {
                AtomicIntegerArray go = new AtomicIntegerArray(n);
                GreenThread<?>[] gs = new GreenThread<?>[n];
                for (int i = 0; i < n; i++) {
                    int k = i;
                    gs[i] = (GreenThread<?>) rt.spawn(() -> {
                        while (go.get(k) == 0) {
                            LockSupport.park();
                        }
                    });
                }
                AtomicBoolean walking = new AtomicBoolean(true);
                Thread walker = Thread.ofPlatform().start(() -> {
                    while (walking.get()) {
                        for (GreenThread<?> g : gs) {
                            g.virtualThread().getStackTrace();
                        }
                    }
                });
                try {
                    for (int i = 0; i < n; i++) {
                        go.set(i, 1);
                        LockSupport.unpark(gs[i].virtualThread());
                    }
                    for (GreenThread<?> g : gs) {
                        g.join(Duration.ofSeconds(60));
                    }
                } finally {
                    walking.set(false);
                    walker.join(Duration.ofSeconds(60));
                }
                assertThat(rt.liveThreads()).isZero();
            }
        }
    }
}
