package io.verdant.internal;

import io.verdant.Config;
import io.verdant.Green;
import io.verdant.GreenHandle;
import io.verdant.Mailbox;
import io.verdant.MailboxFullException;
import io.verdant.Verdant;
import io.verdant.internal.sched.SchedulerTestAccess;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A bounded mailbox is in place before its green thread can be found: a send
 * made the moment the thread is published in the pid table (fault site
 * SLOT_PUBLISHED, on the spawning thread) is counted against the bound. Before
 * the fix the bound was installed after publication, so such sends bypassed the
 * capacity: a FAIL mailbox of one took two (3 of 3 runs).
 */
@Timeout(60)
class BoundBeforePublicationTest {

    @AfterEach
    void uninstall() {
        SchedulerTestAccess.atSites(null);
    }

    @Test
    void aSendInThePublicationWindowIsCountedAgainstTheBound() throws Exception {
        String name = "bound-before-publication";
        try (Verdant rt = Verdant.start(Config.builder().workers(1).name(name).build())) {
            RuntimeCore core = rt.run(() -> GreenThread.current().runtime());
            Thread spawner = Thread.currentThread();
            AtomicBoolean armed = new AtomicBoolean(true);
            List<Object> outcomes = new ArrayList<>();
            AtomicReference<Throwable> hookFailure = new AtomicReference<>();
            SchedulerTestAccess.atSites((w, site) -> {
                if (site.equals("SLOT_PUBLISHED") && Thread.currentThread() == spawner && armed.compareAndSet(true, false)) {
                    try {
                        // The child is in the pid table now: anyone may look it up and send.
                        GreenThread<?> child = null;
                        for (GreenThread<?> g : core.threads()) {
                            if ("bounded-child".equals(g.name())) {
                                child = g;
                            }
                        }
                        assertThat(child).as("the child is published").isNotNull();
                        for (int i = 1; i <= 2; i++) {
                            try {
                                outcomes.add(RuntimeCore.send(child.pid(), i));
                            } catch (MailboxFullException e) {
                                outcomes.add("full");
                            }
                        }
                    } catch (Throwable t) {
                        hookFailure.set(t);
                    }
                }
            });
            GreenHandle<Object> h = rt.spawner().name("bounded-child")
                    .mailbox(Mailbox.bounded(1, Mailbox.Overflow.FAIL))
                    .spawn(() -> Green.receive());
            SchedulerTestAccess.atSites(null);
            assertThat(armed.get()).as("the spawn reached SLOT_PUBLISHED").isFalse();
            assertThat(hookFailure.get()).isNull();
            assertThat(h.join(Duration.ofSeconds(30))).isEqualTo(1);
            assertThat(outcomes).as("a mailbox of one, FAIL: the second send is refused").containsExactly(true, "full");
        }
    }
}
