package io.verdant.internal;

import io.verdant.Config;
import io.verdant.Green;
import io.verdant.GreenHandle;
import io.verdant.Mailbox;
import io.verdant.Verdant;
import io.verdant.internal.sched.SchedulerTestAccess;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A send to a bounded mailbox whose message node cannot be allocated (an
 * OutOfMemoryError, injected at the fault site MAILBOX_NODE_ALLOCATING) throws that
 * error and takes no place in the mailbox: before the fix the place it had reserved
 * stayed counted with no message in it, so the mailbox held one message fewer for
 * the rest of its owner's life (FAIL threw MailboxFullException, DROP_NEWEST dropped
 * and BLOCK waited while the mailbox had room; DROP_OLDEST dropped a message that
 * fitted). Needs -Dio.verdant.internal.faults=true (verdant-core's test build sets it).
 */
@Timeout(60)
class MailboxNodeOutOfMemoryTest {

    @AfterEach
    void removeHook() {
        SchedulerTestAccess.atSites(null);
    }

    @ParameterizedTest
    @EnumSource(Mailbox.Overflow.class)
    void aSendWhoseNodeCannotBeAllocatedTakesNoPlaceInTheMailbox(Mailbox.Overflow overflow) throws Exception {
        Mailbox mailbox = overflow == Mailbox.Overflow.BLOCK
                ? Mailbox.blocking(2, Duration.ofMillis(500))
                : Mailbox.bounded(2, overflow);
        try (Verdant rt = Verdant.start(Config.builder().workers(1).name("node-oom-" + overflow).build())) {
            CountDownLatch go = new CountDownLatch(1);
            GreenHandle<List<Object>> owner = rt.spawner().mailbox(mailbox).spawn(() -> {
                go.await(); // the sends below happen first
                List<Object> got = new ArrayList<>();
                for (int i = 0; i < 2; i++) {
                    got.add(Green.receive(Duration.ofSeconds(2)));
                }
                return got;
            });
            AtomicBoolean armed = new AtomicBoolean(true);
            Thread sender = Thread.currentThread();
            SchedulerTestAccess.atSites((w, site) -> {
                // The hook is JVM-wide: only this test thread's sends.
                if (site.equals("MAILBOX_NODE_ALLOCATING") && Thread.currentThread() == sender
                        && armed.compareAndSet(true, false)) {
                    throw new OutOfMemoryError("injected: the mailbox node's allocation failed");
                }
            });
            // From this platform thread: the node is always a new one (no spare to reuse).
            assertThatThrownBy(() -> Green.send(owner.pid(), "lost")).isInstanceOf(OutOfMemoryError.class);
            assertThat(armed).as("the allocation was reached").isFalse();
            assertThat(Green.send(owner.pid(), "a")).isTrue();
            assertThat(Green.send(owner.pid(), "b")).as("the second of two messages, capacity 2").isTrue();
            go.countDown();
            assertThat(owner.join(Duration.ofSeconds(20))).containsExactly("a", "b");
        }
    }
}
