package io.verdant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * close() from a virtual thread runs its steps on a platform thread of its
 * own. Many virtual threads closing one runtime at once (say every request
 * handler on shutdown) started one such platform thread each, every one but
 * the first blocked until the first had closed: as many platform threads as
 * callers. Now one is started per runtime; the other virtual callers wait
 * for the close to finish, parked, with no thread of their own.
 */
@Timeout(60)
class ConcurrentVirtualClosersTest {

    private static final int CALLERS = 16;

    @Test
    void manyVirtualThreadsClosingAtOnceStartOnePlatformCloserAndAllReturnOnceClosed() throws Exception {
        Verdant rt = Verdant.start(Config.builder().workers(1).name("virtual-closers")
                .shutdownTimeout(Duration.ofSeconds(3)).build());
        List<Thread> callers = new ArrayList<>();
        Thread first = null;
        try {
            CountDownLatch started = new CountDownLatch(1);
            rt.spawn(() -> { // ignores its cancellation: close waits its shutdown timeout for it
                started.countDown();
                for (;;) {
                    Thread.interrupted();
                    LockSupport.park();
                }
            });
            assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
            first = Thread.ofVirtual().start(rt::close);
            for (int i = 0; i < CALLERS; i++) {
                callers.add(Thread.ofVirtual().start(rt::close));
            }
            // Every caller waits in close (a state only a wait inside close gives a virtual thread here).
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (callers.stream().anyMatch(t -> t.getState() != Thread.State.WAITING)
                    && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            assertThat(callers).allMatch(t -> t.getState() == Thread.State.WAITING || !t.isAlive());
            long closers = Thread.getAllStackTraces().keySet().stream()
                    .filter(t -> t.getName().equals("virtual-closers-closer")).count();
            assertThat(closers).as("platform threads running close's steps (none once it has ended)")
                    .isLessThanOrEqualTo(1);
        } finally {
            rt.close();
            if (first != null) {
                assertThat(first.join(Duration.ofSeconds(20))).isTrue();
            }
            for (Thread t : callers) {
                assertThat(t.join(Duration.ofSeconds(20))).as("a caller returned once closed").isTrue();
            }
        }
        assertThat(rt.isClosed()).isTrue();
    }
}
