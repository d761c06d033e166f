package io.verdant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An event actor's priority decides where its turn waits on a carrier, as a green
 * thread's does: on one worker, with green threads of the default priority queued, a
 * CRITICAL actor's message is handled before them and a LOW actor's after them.
 */
@Timeout(30)
class EventActorPriorityTest {

    /**
     * One carrier, and a slice far longer than a test: the orders below assume the sender
     * spawns and sends in one slice. With the default 10 ms, a sender whose carrier the OS
     * descheduled mid-slice can be preempted at a spawn, and the NORMAL threads it had queued
     * run before it sends (seen once under load: normal0, normal1, critical, normal2, low,
     * the order of a preemption at normal2's spawn).
     */
    private static Verdant single(String name) {
        return Verdant.start(Config.builder().workers(1).timeslice(Duration.ofSeconds(30)).name(name).build());
    }

    /**
     * The sender (NORMAL, on the only carrier) queues three NORMAL threads, then sends
     * to the actor and joins them: the worker then chooses among the threads and the
     * actor's turn.
     */
    private static List<String> orderAfterSend(Verdant rt, Priority actorPriority, boolean warm) {
        List<String> order = Collections.synchronizedList(new ArrayList<>());
        rt.run(() -> {
            CountDownLatch handled = new CountDownLatch(1);
            GreenHandle<Object> actor = Actors.spawner().priority(actorPriority).spawn(null, (s, m) -> {
                if ("warm".equals(m)) {
                    handled.countDown();
                } else {
                    order.add("actor");
                }
                return s;
            });
            if (warm) {
                // A dispatcher exists and, once this thread has yielded to it, is parked idle.
                Green.send(actor.pid(), "warm");
                handled.await();
                Green.yield();
            }
            List<GreenHandle<Void>> normal = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                String tag = "normal" + i;
                normal.add(Green.spawn(() -> {
                    order.add(tag);
                }));
            }
            Green.send(actor.pid(), "go");
            normal.forEach(GreenHandle::join);
            while (order.size() < 4) {
                Green.yield();
            }
            actor.cancel();
            return null;
        });
        return order;
    }

    @Test
    void aLowActorsTurnAfterACriticalOneWaitsForQueuedNormalThreads() {
        // One dispatcher runs the CRITICAL actor's turn, then takes the LOW actor: its turn
        // must wait for a carrier at LOW, behind the NORMAL threads, not run on at once.
        try (Verdant rt = single("low-after-critical")) {
            List<String> order = Collections.synchronizedList(new ArrayList<>());
            rt.run(() -> {
                CountDownLatch handled = new CountDownLatch(2);
                GreenHandle<Object> critical = Actors.spawner().priority(Priority.CRITICAL).spawn(null, (s, m) -> {
                    if ("warm".equals(m)) {
                        handled.countDown();
                    } else {
                        order.add("critical");
                    }
                    return s;
                });
                GreenHandle<Object> low = Actors.spawner().priority(Priority.LOW).spawn(null, (s, m) -> {
                    if ("warm".equals(m)) {
                        handled.countDown();
                    } else {
                        order.add("low");
                    }
                    return s;
                });
                Green.send(critical.pid(), "warm");
                Green.send(low.pid(), "warm");
                handled.await();
                Green.yield();
                List<GreenHandle<Void>> normal = new ArrayList<>();
                for (int i = 0; i < 3; i++) {
                    String tag = "normal" + i;
                    normal.add(Green.spawn(() -> {
                        order.add(tag);
                    }));
                }
                Green.send(critical.pid(), "go");
                Green.send(low.pid(), "go");
                normal.forEach(GreenHandle::join);
                while (order.size() < 5) {
                    Green.yield();
                }
                critical.cancel();
                low.cancel();
                return null;
            });
            assertThat(order).containsExactly("critical", "normal0", "normal1", "normal2", "low");
        }
    }

    @Test
    void aCriticalActorWokenFromIdleRunsBeforeQueuedNormalThreads() {
        try (Verdant rt = single("critical-actor-idle")) {
            assertThat(orderAfterSend(rt, Priority.CRITICAL, true)).containsExactly("actor", "normal0", "normal1", "normal2");
        }
    }

    @Test
    void aCriticalActorsFirstMessageRunsBeforeQueuedNormalThreads() {
        // The same on another runtime first: a first turn in this JVM may park (class
        // initialisation), which lets the NORMAL threads run whatever the priorities.
        try (Verdant rt = single("critical-actor-first-warm-up")) {
            orderAfterSend(rt, Priority.CRITICAL, false);
        }
        try (Verdant rt = single("critical-actor-first")) {
            assertThat(orderAfterSend(rt, Priority.CRITICAL, false)).containsExactly("actor", "normal0", "normal1", "normal2");
        }
    }

    @Test
    void aLowActorWokenFromIdleRunsAfterQueuedNormalThreads() {
        try (Verdant rt = single("low-actor-idle")) {
            assertThat(orderAfterSend(rt, Priority.LOW, true)).containsExactly("normal0", "normal1", "normal2", "actor");
        }
    }
}
