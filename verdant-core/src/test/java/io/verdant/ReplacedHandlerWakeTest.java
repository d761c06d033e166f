package io.verdant;

import com.fasterxml.jackson.databind.JsonNode;
import io.verdant.TraceWakeSourcesTest.Arrow;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A green thread whose uncaught-exception handler user code replaced is still a
 * green thread of its runtime when it wakes or spawns another: the scheduler finds
 * it through its carrier (the task the carrier runs is its own), as through the
 * handler. Before, such a wake-up took the path of a foreign virtual thread on the
 * carrier (a JDK sub-poller): no LIFO hand-off, no nudge of the ticker for a
 * higher-priority thread, no spawn back-pressure, and the trace drew it as coming
 * from "outside".
 */
@Timeout(60)
class ReplacedHandlerWakeTest {

    @Test
    void aWakeUpAndASpawnByAThreadWithAReplacedHandlerAreDrawnFromItsSlice() throws Exception {
        try (Verdant rt = Verdant.start(Config.builder().workers(2).maxSpareCarriers(0).name("replaced-wake").build())) {
            AtomicReference<Thread> woken = new AtomicReference<>();
            AtomicBoolean go = new AtomicBoolean();
            TraceRecording trace = rt.startTrace();
            GreenHandle<Void> t = rt.spawner().name("woken").spawn(() -> {
                woken.set(Thread.currentThread());
                while (!go.get()) {
                    LockSupport.park();
                }
            });
            GreenHandle<Pid> w = rt.spawner().name("waker").spawn(() -> {
                Thread.currentThread().setUncaughtExceptionHandler((th, e) -> { });
                long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
                while ((woken.get() == null || woken.get().getState() != Thread.State.WAITING)
                        && System.nanoTime() < deadline) {
                    Thread.sleep(1);
                }
                go.set(true);
                LockSupport.unpark(woken.get());
                GreenHandle<Void> child = Green.spawner().name("child").spawn(() -> { });
                child.join();
                return child.pid();
            });
            Pid child = w.join(Duration.ofSeconds(30));
            t.join(Duration.ofSeconds(30));
            trace.stop();

            JsonNode root = TraceTest.parse(trace);
            List<Arrow> arrows = TraceWakeSourcesTest.arrows(root);
            List<Arrow> wakes = arrows.stream()
                    .filter(a -> a.name().equals("wake") && a.to().pid().equals(t.pid().toString())).toList();
            assertThat(wakes).as("the wake-up of woken").singleElement()
                    .satisfies(a -> assertThat(a.cat()).as("drawn from the waker's slice").isEqualTo("wake"));
            List<Arrow> spawns = arrows.stream().filter(a -> a.to().pid().equals(child.toString())).toList();
            assertThat(spawns).as("the spawn of child").singleElement()
                    .satisfies(a -> assertThat(a.cat()).as("drawn from the spawner's slice").isEqualTo("spawn"));
        }
    }
}
