package io.verdant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * close() from a virtual thread that a green thread started with
 * {@code Thread.ofVirtual()} (or an executor or structured-concurrency fork made
 * there): that thread inherits the runtime as its scheduler, so it runs on the
 * runtime's own carriers, as its green threads do. Such a close could never end
 * (its continuation is dropped once the carriers stop, so it never returns and
 * holds the runtime's monitor for good); it is refused as close from one of the
 * runtime's own green threads is.
 */
@Timeout(60)
class CloseFromOwnCarrierTest {

    @Test
    void closeFromAVirtualThreadOnTheRuntimesCarriersIsRefusedNotHung() throws Exception {
        closeFromAVirtualThreadOnTheCarriers(Verdant.start(Config.builder().workers(1).name("close-own-carrier").build()));
    }

    @Test
    void closeFromAVirtualThreadOnADeterministicRuntimesCarrierIsRefusedNotHung() throws Exception {
        closeFromAVirtualThreadOnTheCarriers(Verdant.deterministic(Config.builder().name("close-own-carrier").build(),
                Determinism.seed(1)));
    }

    private static void closeFromAVirtualThreadOnTheCarriers(Verdant rt) throws Exception {
        try {
            AtomicReference<Throwable> thrown = new AtomicReference<>();
            CountDownLatch returned = new CountDownLatch(1);
            Throwable fromRun = null;
            try {
                rt.run(() -> {
                    Thread.ofVirtual().start(() -> {
                        try {
                            rt.close();
                        } catch (Throwable t) {
                            thrown.set(t);
                        } finally {
                            returned.countDown();
                        }
                    }).join();
                    return null;
                });
            } catch (GreenFailedException e) {
                fromRun = e; // the join above, interrupted by a close that went ahead
            }
            assertThat(returned.await(10, TimeUnit.SECONDS)).as("close() returned").isTrue();
            assertThat(fromRun).isNull();
            assertThat(thrown.get()).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("close-own-carrier");
            assertThat(rt.isClosed()).isFalse();
            assertThat(rt.run(() -> 7)).as("the runtime still runs").isEqualTo(7);
        } finally {
            // A close that hung holds the runtime's monitor: closing again would hang too
            // (its carriers have stopped by then; nothing is left running).
            if (!rt.isClosed()) {
                rt.close();
            }
        }
        for (Thread t : StallTest.threads("close-own-carrier")) {
            t.join(TimeUnit.SECONDS.toMillis(10)); // a carrier counts itself stopped just before it ends
            assertThat(t.isAlive()).as(t.getName()).isFalse();
        }
    }
}
