package io.verdant;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.verdant.TraceTest.Slice;
import io.verdant.TraceViewTest.Span;
import io.verdant.TraceWakeSourcesTest.Arrow;
import io.verdant.internal.GreenThread;
import io.verdant.internal.sched.Scheduler;
import io.verdant.internal.sched.SchedulerTestAccess;
import io.verdant.internal.sched.Worker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A carrier that searched (or spun) since its last mark and then finds a task
 * in the injection queues or steals one begins that slice at a fresh clock read,
 * after the wake-up or spawn that made the task runnable: the exports link a
 * wake-up to the woken thread's first slice that begins after it, so a slice
 * stamped with the carrier's earlier mark lost its arrow (it went to the next
 * slice, or nowhere) and its "runnable" span in the green-thread view.
 *
 * <p>The spin phase is set to 10 s, so that a carrier with nothing to run
 * keeps searching rather than parking (a carrier unparked for a wake-up reads
 * the clock when it wakes, which hid the defect): each wake-up below is found
 * by a searcher, whatever the machine's load. (Once the searcher's spin is over
 * it parks, and the tests pass with or without the fix: a 10 s spin is far
 * longer than either test runs.) No spare carriers: the spin phase is off while
 * one is alive.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TraceSearchingCarrierTest {
    private static final long SPIN_NANOS = TimeUnit.SECONDS.toNanos(10);

    private static Scheduler scheduler(Verdant rt) {
        return rt.run(() -> GreenThread.current().runtime().scheduler);
    }

    @Test
    void eachOutsideWakeFoundByASearchingCarrierArrowsIntoTheSliceThatFollowsIt() throws Exception {
        int messages = 8;
        try (Verdant rt = Verdant.start(Config.builder().workers(2).maxSpareCarriers(0).name("trace-search-out").build())) {
            Channel<Integer> ch = Channel.bounded(64);
            CountDownLatch started = new CountDownLatch(1);
            AtomicReference<Thread> receiverThread = new AtomicReference<>();
            TraceRecording trace = startTraceAndSpin(rt);
            GreenHandle<Integer> receiver = rt.spawn(() -> {
                receiverThread.set(Thread.currentThread());
                started.countDown();
                int sum = 0;
                for (int i = 0; i < messages; i++) {
                    sum += ch.receive();
                }
                return sum;
            });
            assertThat(started.await(30, TimeUnit.SECONDS)).isTrue();
            for (int i = 0; i < messages; i++) {
                // Each send wakes the receiver parked (unmounted).
                TraceWakeSourcesTest.awaitParkedOnAChannel(rt, receiver.pid(), receiverThread.get());
                ch.send(1); // from this platform thread: a carrier that spins since the park finds it
            }
            assertThat(receiver.join()).isEqualTo(messages);
            trace.stop();
            JsonNode root = TraceTest.parse(trace);
            String pid = receiver.pid().toString();
            List<Slice> mine = TraceTest.slices(root).stream().filter(s -> s.pid().equals(pid)).toList();
            List<Arrow> wakes = TraceWakeSourcesTest.arrows(root).stream()
                    .filter(a -> a.cat().equals("outside") && a.name().equals("wake") && a.to().pid().equals(pid))
                    .toList();
            // One slice per message after the first; each begins with the arrow of the send that woke it.
            assertThat(mine).hasSize(messages + 1);
            assertThat(wakes).hasSize(messages);
            for (int i = 1; i <= messages; i++) {
                Slice s = mine.get(i);
                long before = mine.get(i - 1).begin();
                assertThat(wakes).as("an outside wake arrow into slice %d, %s", i, s).filteredOn(a -> a.to().equals(s))
                        .singleElement().satisfies(a -> assertThat(a.fromTs()).isLessThan(s.begin())
                                .isGreaterThan(before));
            }
            // The green-thread view: runnable (woken by outside) right before each of those slices.
            List<Span> track = greenTrack(root, receiver.pid());
            List<Span> woken = track.stream().filter(sp -> sp.cat().equals("runnable")
                    && sp.event().get("args").get("cause").asText().equals("woken by outside")).toList();
            assertThat(woken).hasSize(messages);
            for (int i = 1; i <= messages; i++) {
                long begin = mine.get(i).begin();
                assertThat(woken).as("runnable span ending where slice %d begins", i)
                        .anySatisfy(sp -> assertThat(sp.end()).isBetween(begin - 1, begin + 1));
            }
        }
    }

    @Test
    void aSpawnedThreadStolenByASearchingCarrierHasItsSpawnArrow() throws Exception {
        int children = 20;
        // No preemption: the parent never leaves its carrier while a child is queued, so
        // every child is stolen by the other carrier, which is searching since its last slice.
        try (Verdant rt = Verdant.start(Config.builder().workers(2).maxSpareCarriers(0).timeslice(Duration.ZERO)
                .name("trace-search-steal").build())) {
            Scheduler s = scheduler(rt);
            TraceRecording trace = startTraceAndSpin(rt);
            List<Pid> kids = rt.run(() -> {
                List<Pid> out = new ArrayList<>();
                for (int i = 0; i < children; i++) {
                    AtomicBoolean ran = new AtomicBoolean();
                    out.add(Green.spawner().name("child").spawn(() -> ran.set(true)).pid());
                    // Until the other carrier has run the child and ended its slice (it then
                    // searches, from that mark on): only this carrier runs a task.
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                    while (!ran.get() || idleCarriers(s) == 0) {
                        assertThat(System.nanoTime()).as("child %d runs", i).isLessThan(deadline);
                        Thread.onSpinWait();
                    }
                    // A new slice of this thread, which begins after that mark: the next child's spawn is in it.
                    Green.yield();
                }
                return out;
            });
            trace.stop();
            JsonNode root = TraceTest.parse(trace);
            List<Arrow> spawns = TraceWakeSourcesTest.arrows(root).stream().filter(a -> a.cat().equals("spawn")).toList();
            int stolen = 0;
            for (Pid kid : kids) {
                String pid = kid.toString();
                List<Slice> slices = TraceTest.slices(root).stream().filter(x -> x.pid().equals(pid)).toList();
                assertThat(slices).as("the slices of child %s", pid).hasSize(1);
                assertThat(spawns).as("the spawn arrow into child %s", pid)
                        .filteredOn(a -> a.to().equals(slices.get(0))).hasSize(1);
                for (JsonNode e : root.get("traceEvents")) {
                    if (e.get("ph").asText().equals("X") && e.get("cat").asText().equals("slice")
                            && e.get("args").get("pid").asText().equals(pid)
                            && e.get("args").get("found").asText().equals("stolen")) {
                        stolen++;
                    }
                }
            }
            // The path under test was taken (by construction every child is stolen; the first
            // may be taken by a carrier woken for it rather than by a searcher).
            assertThat(stolen).isGreaterThanOrEqualTo(children - 1);
        }
    }

    /**
     * Starts a trace of {@code rt} (two carriers), sets the long spin, and returns once
     * each carrier has begun a turn since: a carrier reads its trace ring once per turn,
     * so a searcher whose turn began before the trace would run the first task it finds
     * untraced (and, with the long spin, it may search that long).
     */
    private static TraceRecording startTraceAndSpin(Verdant rt) throws Exception {
        TraceRecording trace = rt.startTrace();
        SchedulerTestAccess.spinNanos(scheduler(rt), SPIN_NANOS);
        // Two green threads that wait for each other run on both carriers at once; each
        // carrier's next turn begins after they end.
        AtomicInteger arrived = new AtomicInteger();
        List<GreenHandle<Void>> pair = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            pair.add(rt.spawn(() -> {
                arrived.incrementAndGet();
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (arrived.get() < 2) {
                    assertThat(System.nanoTime()).as("both carriers run").isLessThan(deadline);
                    Thread.onSpinWait();
                }
                return null;
            }));
        }
        for (GreenHandle<Void> h : pair) {
            h.join();
        }
        return trace;
    }

    /** Carriers of {@code s} running nothing now (a snapshot). */
    private static int idleCarriers(Scheduler s) {
        int n = 0;
        for (Worker w : s.carriers()) {
            if (w.currentTask() == null) {
                n++;
            }
        }
        return n;
    }

    /** The green-thread view's spans of {@code pid}, in time order. */
    private static List<Span> greenTrack(JsonNode root, Pid pid) {
        Map<String, List<Span>> tracks = TraceViewTest.greenTracks(root, TraceViewTest.runtimeId(pid));
        List<Span> out = null;
        for (Map.Entry<String, List<Span>> e : tracks.entrySet()) {
            if (e.getKey().endsWith(pid.toString())) {
                assertThat(out).as("one track for %s", pid).isNull();
                out = e.getValue();
            }
        }
        assertThat(out).as("the green-thread track of %s in %s", pid, tracks.keySet()).isNotNull();
        return out;
    }
}
