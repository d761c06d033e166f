package io.verdant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A spawner's mailbox setting applies to the threads of its thread factory and
 * executor, as to the threads it spawns itself: each thread gets a mailbox of
 * its own with that bound. Before, both silently gave their threads unbounded
 * mailboxes.
 */
@Timeout(30)
class SpawnerMailboxFactoryTest {
    /** Runs in the thread: parks until released, so its mailbox fills; returns its pid. */
    private static Runnable holdThenReport(AtomicReference<Pid> pid, CountDownLatch ready, CountDownLatch release) {
        return () -> {
            pid.set(Green.self());
            ready.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        };
    }

    @Test
    void aThreadFactorysThreadsHaveTheSpawnersBoundedMailbox() throws Exception {
        try (Verdant rt = Verdant.start(Config.builder().workers(2).name("mbox-factory").build())) {
            ThreadFactory f = rt.spawner().mailbox(Mailbox.bounded(1, Mailbox.Overflow.FAIL)).threadFactory();
            for (int i = 0; i < 2; i++) { // two threads: the bound is each one's own
                AtomicReference<Pid> pid = new AtomicReference<>();
                CountDownLatch ready = new CountDownLatch(1);
                CountDownLatch release = new CountDownLatch(1);
                Thread t = f.newThread(holdThenReport(pid, ready, release));
                t.start();
                try {
                    assertThat(ready.await(10, TimeUnit.SECONDS)).isTrue();
                    assertThat(Green.send(pid.get(), "first")).isTrue();
                    assertThatThrownBy(() -> Green.send(pid.get(), "second")).isInstanceOf(MailboxFullException.class);
                } finally {
                    release.countDown();
                    t.join(10_000);
                }
            }
        }
    }

    @Test
    void anExecutorsTaskThreadsHaveTheSpawnersBoundedMailbox() throws Exception {
        try (Verdant rt = Verdant.start(Config.builder().workers(2).name("mbox-executor").build());
             ExecutorService ex = rt.spawner().mailbox(Mailbox.bounded(1, Mailbox.Overflow.FAIL)).executor()) {
            AtomicReference<Pid> pid = new AtomicReference<>();
            CountDownLatch ready = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            Future<?> task = ex.submit(holdThenReport(pid, ready, release));
            try {
                assertThat(ready.await(10, TimeUnit.SECONDS)).isTrue();
                assertThat(Green.send(pid.get(), "first")).isTrue();
                assertThatThrownBy(() -> Green.send(pid.get(), "second")).isInstanceOf(MailboxFullException.class);
            } finally {
                release.countDown();
            }
            task.get(10, TimeUnit.SECONDS);
        }
    }
}
