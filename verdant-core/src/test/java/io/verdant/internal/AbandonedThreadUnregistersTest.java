package io.verdant.internal;

import io.verdant.CancelToken;
import io.verdant.Config;
import io.verdant.GreenHandle;
import io.verdant.Verdant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A green thread abandoned when its runtime closes (RuntimeCore, "Shutdown",
 * step 4) leaves the cancellation tree as a thread that ends does (CancelNode,
 * "Orphans"): the token it was registered under (a standalone token, or the own
 * token of a spawner in another runtime) no longer references it, so neither
 * keeps the closed runtime reachable. Before the fix the abandoned thread stayed
 * on its parent's token (a link or an own slot holding it) for as long as that
 * token lived: both cases failed on every run.
 */
@Timeout(60)
class AbandonedThreadUnregistersTest {

    /** A body that ignores cancellation and interrupts: close abandons it (step 4). Shared with AbandonedMonitorTest. */
    static Object stubborn(CountDownLatch parked) {
        parked.countDown();
        while (true) {
            LockSupport.park();
            Thread.interrupted();
        }
    }

    /** A runtime of one carrier that abandons what has not ended 50 ms into its close. */
    static Config closingFast(String name) {
        return Config.builder().workers(1).name(name).shutdownTimeout(Duration.ofMillis(50)).build();
    }

    @Test
    void aStandaloneTokenNoLongerReferencesAThreadAbandonedAtClose() throws Exception {
        CancelNode token = (CancelNode) CancelToken.create();
        Verdant rt = Verdant.start(closingFast("abandon-standalone"));
        CountDownLatch parked = new CountDownLatch(1);
        GreenHandle<Object> h = rt.spawner().cancelWith(token).spawn(() -> stubborn(parked));
        assertThat(parked.await(20, TimeUnit.SECONDS)).isTrue();
        assertThat(token.referencedThreads()).isEqualTo(1);

        rt.close();

        assertThat(h.isDone()).as("abandoned").isTrue();
        assertThat(token.referencedThreads()).as("threads of the closed runtime the token still references").isZero();
        assertThat(token.isCancelled()).as("closing a runtime does not cancel a token it does not own").isFalse();
    }

    @Test
    void aSpawnerInAnotherRuntimeNoLongerReferencesItsChildAbandonedAtClose() throws Exception {
        try (Verdant a = Verdant.start(Config.builder().workers(1).name("abandon-spawner-a").build())) {
            Verdant b = Verdant.start(closingFast("abandon-spawner-b"));
            CountDownLatch parked = new CountDownLatch(1);
            CountDownLatch checked = new CountDownLatch(1);
            AtomicReference<CancelNode> spawnerToken = new AtomicReference<>();
            CountDownLatch spawned = new CountDownLatch(1);
            GreenHandle<Object> spawner = a.spawn(() -> {
                spawnerToken.set(CancelNode.of(GreenThread.current()));
                b.spawn(() -> stubborn(parked)); // registered in this thread's own slots
                spawned.countDown();
                checked.await();
                return null;
            });
            assertThat(spawned.await(20, TimeUnit.SECONDS)).isTrue();
            assertThat(parked.await(20, TimeUnit.SECONDS)).isTrue();
            assertThat(spawnerToken.get().referencedThreads()).isEqualTo(1);

            b.close();

            assertThat(spawnerToken.get().referencedThreads())
                    .as("threads of the closed runtime the live spawner's token still references").isZero();
            checked.countDown();
            spawner.join();
        }
    }
}
