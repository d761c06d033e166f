package io.verdant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
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
        // A shutdown timeout no loaded machine reaches: the close lasts until the test lets the
        // stubborn thread end, so no caller can return (and be seen RUNNABLE on its way out)
        // while the test still looks at them.
        Verdant rt = Verdant.start(Config.builder().workers(1).name("virtual-closers")
                .shutdownTimeout(Duration.ofSeconds(40)).build());
        List<Thread> callers = new ArrayList<>();
        Thread first = null;
        AtomicBoolean letGo = new AtomicBoolean();
        AtomicReference<Thread> stubborn = new AtomicReference<>();
        try {
            CountDownLatch started = new CountDownLatch(1);
            rt.spawn(() -> { // ignores its cancellation: close waits for it until the test lets it go
                stubborn.set(Thread.currentThread());
                started.countDown();
                while (!letGo.get()) {
                    Thread.interrupted();
                    LockSupport.park();
                }
            });
            assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
            first = Thread.ofVirtual().start(rt::close);
            for (int i = 0; i < CALLERS; i++) {
                callers.add(Thread.ofVirtual().start(rt::close));
            }
            // Every caller waits in close (a state only a wait inside close gives a virtual thread
            // here); asserted on the states the wait read, not read again.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            List<String> notWaiting;
            do {
                Thread.sleep(5);
                notWaiting = callers.stream().filter(t -> t.getState() != Thread.State.WAITING)
                        .map(t -> t + " " + t.getState()).toList();
            } while (!notWaiting.isEmpty() && System.nanoTime() < deadline);
            assertThat(notWaiting).as("callers not waiting in close").isEmpty();
            assertThat(rt.isClosed()).as("the close under way").isTrue();
            long closers = Thread.getAllStackTraces().keySet().stream()
                    .filter(t -> t.getName().equals("virtual-closers-closer")).count();
            assertThat(closers).as("platform threads running close's steps").isEqualTo(1);
        } finally {
            letGo.set(true);
            Thread t = stubborn.get();
            if (t != null) {
                LockSupport.unpark(t);
            }
            rt.close();
            if (first != null) {
                assertThat(first.join(Duration.ofSeconds(20))).isTrue();
            }
            for (Thread c : callers) {
                assertThat(c.join(Duration.ofSeconds(20))).as("a caller returned once closed").isTrue();
            }
        }
        assertThat(rt.isClosed()).isTrue();
    }
}
