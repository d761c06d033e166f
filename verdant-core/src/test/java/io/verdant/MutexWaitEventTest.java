package io.verdant;

import io.verdant.internal.sched.SchedulerTestAccess;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The JFR MutexWait event's timedOut says whether the wait ended without the mutex.
 * A waiter cancelled while the holder handed it the mutex (fault site MUTEX_WAIT_ENDED:
 * its wait returned CANCELLED, the hand-off came before it looked) passes the mutex on
 * and throws CancelledException: it ended without the mutex, but the event, which read
 * only the hand-off, said it had not timed out.
 */
@Timeout(60)
class MutexWaitEventTest {

    @AfterEach
    void uninstall() {
        SchedulerTestAccess.atSites(null);
    }

    @Test
    void aWaiterHandedTheMutexAsItIsCancelledIsRecordedAsEndingWithoutIt(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("mutex-wait.jfr");
        Pid holderPid;
        AtomicReference<String> waiterSaw = new AtomicReference<>();
        AtomicBoolean handedOff = new AtomicBoolean();
        try (Recording rec = new Recording()) {
            rec.enable("io.verdant.MutexWait").withThreshold(Duration.ZERO);
            rec.start();
            try (Verdant rt = Verdant.start(Config.builder().workers(2).name("mutex-wait-event").build())) {
                Mutex<Integer> m = new Mutex<>(0);
                CountDownLatch held = new CountDownLatch(1);
                CountDownLatch unlock = new CountDownLatch(1);
                CountDownLatch unlocked = new CountDownLatch(1);
                GreenHandle<Object> holder = rt.spawn(() -> {
                    try (Mutex.Guard<Integer> g = m.lock(Duration.ofSeconds(30))) {
                        g.set(1);
                        held.countDown();
                        unlock.await();
                    }
                    unlocked.countDown();
                    return null;
                });
                holderPid = holder.pid();
                assertThat(held.await(10, TimeUnit.SECONDS)).isTrue();
                AtomicBoolean armed = new AtomicBoolean(true);
                SchedulerTestAccess.atSites((w, site) -> {
                    // The hook is global: only this runtime's waiter (a runtime another test left
                    // behind may still end mutex waits in this JVM, and would take the one turn).
                    if (site.equals("MUTEX_WAIT_ENDED") && w != null && w.getName().startsWith("mutex-wait-event-carrier-")
                            && armed.compareAndSet(true, false)) {
                        unlock.countDown();
                        // Spins (bounded): the holder unlocks on the other carrier, handing the mutex over.
                        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                        while (unlocked.getCount() > 0 && System.nanoTime() < deadline) {
                            Thread.onSpinWait();
                        }
                        handedOff.set(unlocked.getCount() == 0);
                    }
                });
                GreenHandle<Void> waiter = rt.spawn(() -> {
                    try (Mutex.Guard<Integer> g = m.lock(Duration.ofSeconds(30))) {
                        g.set(2);
                        waiterSaw.set("acquired");
                    } catch (CancelledException e) {
                        waiterSaw.set("cancelled");
                    }
                });
                long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                while (m.waiters() == 0 && System.nanoTime() < until) {
                    Thread.sleep(1);
                }
                assertThat(m.waiters()).as("the waiter waits").isEqualTo(1);
                waiter.cancel();
                try {
                    waiter.join(Duration.ofSeconds(30));
                } catch (GreenFailedException ignored) {
                    // a cancelled thread's end
                }
                holder.join(Duration.ofSeconds(30));
                assertThat(m.isLocked()).as("the cancelled waiter passed the mutex on").isFalse();
            }
            rec.stop();
            rec.dump(file);
        }
        assertThat(handedOff).as("the mutex was handed over while the cancelled waiter had not yet looked").isTrue();
        assertThat(waiterSaw.get()).isEqualTo("cancelled");
        List<RecordedEvent> waits = RecordingFile.readAllEvents(file).stream()
                .filter(e -> e.getEventType().getName().equals("io.verdant.MutexWait"))
                .filter(e -> e.getString("holder").equals(holderPid.toString())).toList();
        assertThat(waits).singleElement().satisfies(e -> assertThat(e.getBoolean("timedOut"))
                .as("the wait ended without the mutex").isTrue());
    }
}
