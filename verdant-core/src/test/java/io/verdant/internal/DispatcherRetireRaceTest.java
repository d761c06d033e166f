package io.verdant.internal;

import io.verdant.Actors;
import io.verdant.Behavior;
import io.verdant.Config;
import io.verdant.Green;
import io.verdant.GreenHandle;
import io.verdant.Verdant;
import io.verdant.internal.sched.SchedulerTestAccess;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A surplus event-actor dispatcher that finds no work retires; it counted as
 * running until then, and a send that made an idle actor runnable meanwhile had
 * its signal() see enough running dispatchers to start none. The retiring
 * dispatchers did not look at the queues again, so with the others parked in
 * handlers the actor waited, unrun, until one of those handlers returned: for
 * ever when that handler waited for the actor. The window is forced with the
 * fault site DISPATCHER_RETIRING: the surplus dispatchers (one worker, and a
 * dispatcher parked in a handler) are held there until the last of them has left
 * the total, and the send comes while they all still count as running.
 */
@Timeout(90)
class DispatcherRetireRaceTest {
    @AfterEach
    void hooksOff() {
        SchedulerTestAccess.atSites(null);
    }

    @Test
    void anActorMadeRunnableWhileSurplusDispatchersRetireIsRun() throws Exception {
        String name = "retire-race";
        try (Verdant rt = Verdant.start(Config.builder().workers(1).name(name).build())) {
            CountDownLatch xHandled = new CountDownLatch(1);
            GreenHandle<Object> x = Actors.spawner(rt).name("x").spawn(null, (state, m) -> {
                xHandled.countDown();
                return state;
            });
            // B's handler parks until X has run: its dispatcher is parked (not running) all along.
            CountDownLatch bIn = new CountDownLatch(1);
            GreenHandle<Object> b = Actors.spawner(rt).name("b").spawn(null, (state, m) -> {
                bIn.countDown();
                return xHandled.await(60, TimeUnit.SECONDS);
            });
            Green.send(b.pid(), "wait for x");
            assertThat(bIn.await(20, TimeUnit.SECONDS)).isTrue();

            Dispatchers pool = RuntimeCore.of(x.pid()).dispatchers();
            AtomicInteger retiring = new AtomicInteger();
            AtomicBoolean delivered = new AtomicBoolean();
            CountDownLatch sent = new CountDownLatch(1);
            SchedulerTestAccess.atSites((w, site) -> {
                if (!site.equals("DISPATCHER_RETIRING") || w == null || !w.getName().startsWith(name + "-carrier-")) {
                    return;
                }
                retiring.incrementAndGet();
                if (pool.dispatchers() > 1) {
                    // Not the last surplus one: wait (parked: the carrier is free) until the last has sent.
                    try {
                        sent.await(20, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                } else if (sent.getCount() > 0) {
                    // Only B's (parked) is left in the total; the retiring ones still count as
                    // running, so the send's signal() starts no dispatcher.
                    delivered.set(Green.send(x.pid(), "go"));
                    sent.countDown();
                }
            });
            // Two more dispatchers (surplus: one worker), two actors whose handlers meet.
            CountDownLatch both = new CountDownLatch(2);
            Behavior<Object> meet = (state, m) -> {
                both.countDown();
                return both.await(20, TimeUnit.SECONDS);
            };
            GreenHandle<Object> c2 = Actors.spawner(rt).name("c2").spawn(null, meet);
            GreenHandle<Object> c3 = Actors.spawner(rt).name("c3").spawn(null, meet);
            Green.send(c2.pid(), "meet");
            Green.send(c3.pid(), "meet");
            assertThat(both.await(20, TimeUnit.SECONDS)).as("c2 and c3 ran at once").isTrue();
            assertThat(sent.await(20, TimeUnit.SECONDS)).as("the surplus dispatchers retired").isTrue();
            assertThat(delivered.get()).isTrue();
            assertThat(retiring.get()).as("surplus dispatchers retired together").isGreaterThanOrEqualTo(2);
            assertThat(xHandled.await(20, TimeUnit.SECONDS)).as("x was run").isTrue();
            SchedulerTestAccess.atSites(null);
        }
    }
}
