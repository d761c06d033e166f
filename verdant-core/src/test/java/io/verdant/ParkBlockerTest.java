package io.verdant;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every Verdant wait parks with the object waited on as LockSupport's blocker
 * (the seam observability reports through): a channel, a mutex, the joined
 * green thread, the mailbox, the sleep's deadline.
 */
@Timeout(60)
class ParkBlockerTest {
    private static final Duration LONG = Duration.ofSeconds(30);
    private Verdant rt;

    @BeforeEach
    void start() {
        rt = Verdant.start(Config.builder().workers(2).name("blocker").build());
    }

    @AfterEach
    void stop() {
        rt.close();
    }

    /** Spawns {@code body}, waits until its thread parks with a blocker {@code expected} accepts, cancels it. */
    private Object blockerOf(Runnable body, Predicate<Object> expected) throws InterruptedException {
        AtomicReference<Thread> thread = new AtomicReference<>();
        GreenHandle<Void> h = rt.spawn(() -> {
            thread.set(Thread.currentThread());
            body.run();
            return null;
        });
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        Object seen = null;
        while (System.nanoTime() < deadline) {
            Thread t = thread.get();
            seen = t == null ? null : LockSupport.getBlocker(t);
            if (seen != null && expected.test(seen)) {
                break;
            }
            Thread.sleep(1);
        }
        h.cancel();
        try {
            h.join(LONG);
        } catch (RuntimeException expectedOutcome) {
            // cancelled: the wait threw CancelledException
        }
        return seen;
    }

    @Test
    void channelReceiveAndSendParkOnTheChannel() throws InterruptedException {
        Channel<Integer> empty = Channel.rendezvous();
        assertThat(blockerOf(() -> empty.receive(LONG), b -> b == empty)).isSameAs(empty);
        Channel<Integer> full = Channel.bounded(1);
        full.trySend(1);
        assertThat(blockerOf(() -> full.send(2), b -> b == full)).isSameAs(full);
    }

    @Test
    void mutexWaiterParksOnTheMutex() throws InterruptedException {
        Mutex<String> m = new Mutex<>("v");
        try (Mutex.Guard<String> g = m.lock(LONG)) {
            assertThat(blockerOf(() -> m.lock(LONG).close(), b -> b == m)).isSameAs(m);
        }
    }

    @Test
    void joinParksOnTheJoinedThread() throws InterruptedException {
        GreenHandle<Void> sleeper = rt.spawn(() -> {
            Green.sleep(LONG);
            return null;
        });
        Object b = blockerOf(() -> sleeper.join(LONG), x -> x == sleeper);
        sleeper.cancel();
        assertThat(b).isSameAs(sleeper);
    }

    @Test
    void receiveParksOnTheMailboxAndSleepOnItsDeadline() throws InterruptedException {
        Object mailbox = blockerOf(() -> Green.receive(LONG), x -> true);
        assertThat(mailbox.getClass().getSimpleName()).isEqualTo("ActorCell");
        Object sleep = blockerOf(() -> Green.sleep(LONG), x -> true);
        assertThat(sleep.getClass().getSimpleName()).isEqualTo("Deadline");
    }
}
