package io.verdant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import static io.verdant.StallTest.waitUntil;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Per-thread dispatch counts in {@link Verdant#snapshot()} and {@link RuntimeSnapshot#delta}. */
@Timeout(60)
class SnapshotDeltaTest {
    /**
     * Waits until {@code pid} is parked in a channel receive after {@code round} rounds, with at least
     * {@code slices} dispatches counted; returns that snapshot. (A thread shows WAITING as its park
     * unmounts it, a moment before its carrier counts the slice that just ended.)
     */
    private static RuntimeSnapshot parkedInReceive(Verdant rt, Pid pid, AtomicInteger rounds, int round, long slices)
            throws Exception {
        RuntimeSnapshot[] seen = new RuntimeSnapshot[1];
        waitUntil(() -> {
            RuntimeSnapshot s = rt.snapshot();
            GreenThreadInfo t = s.find(pid).orElseThrow();
            seen[0] = s;
            return rounds.get() == round && t.state() == GreenState.WAITING
                    && t.waitReason().startsWith("Channel#") && t.dispatches() >= slices;
        });
        return seen[0];
    }

    @Test
    void aThreadsDispatchesCountItsSlicesAndDeltaCountsTheWindow() throws Exception {
        try (Verdant rt = Verdant.start(Config.builder().workers(1).name("delta").build())) {
            Channel<Integer> go = Channel.unbounded();
            AtomicInteger rounds = new AtomicInteger();
            GreenHandle<Object> t = rt.spawn(() -> {
                for (;;) {
                    rounds.incrementAndGet();
                    if (go.receive() < 0) {
                        return null;
                    }
                }
            });
            // One slice: from the start to the first receive, where it parks.
            RuntimeSnapshot first = parkedInReceive(rt, t.pid(), rounds, 1, 1);
            assertThat(first.find(t.pid()).orElseThrow().dispatches()).isEqualTo(1);

            // Each message, sent once the thread is parked again, wakes it for one slice: from
            // the receive that returns to the next one, where it parks.
            RuntimeSnapshot last = first;
            for (int i = 2; i <= 4; i++) {
                go.send(i);
                last = parkedInReceive(rt, t.pid(), rounds, i, i);
                assertThat(last.find(t.pid()).orElseThrow().dispatches()).isEqualTo(i);
            }

            GreenThreadInfo window = last.delta(first).find(t.pid()).orElseThrow();
            assertThat(window.dispatches()).isEqualTo(3);
            assertThat(window.runTime()).isLessThanOrEqualTo(last.find(t.pid()).orElseThrow().runTime());
            assertThat(window.runTime()).isGreaterThanOrEqualTo(Duration.ZERO);
            assertThat(window.state()).isEqualTo(GreenState.WAITING);
            assertThat(window.name()).isEqualTo(last.find(t.pid()).orElseThrow().name());
            go.send(-1);
            t.join();
        }
    }

    @Test
    void anEventActorsDispatchesCountItsTurns() throws Exception {
        try (Verdant rt = Verdant.start(Config.builder().workers(2).name("delta-event").build())) {
            AtomicInteger handled = new AtomicInteger();
            GreenHandle<Object> actor = rt.run(() -> Actors.spawn(null, (s, m) -> {
                handled.incrementAndGet();
                return s;
            }));
            // One message at a time, each sent once the actor is idle again: one turn each.
            RuntimeSnapshot before = null;
            for (int i = 1; i <= 6; i++) {
                assertThat(Green.send(actor.pid(), i)).isTrue();
                int n = i;
                waitUntil(() -> handled.get() == n
                        && SnapshotTest.info(rt, actor.pid()).state() == GreenState.WAITING);
                if (i == 1) {
                    before = rt.snapshot();
                }
            }
            RuntimeSnapshot after = rt.snapshot();
            assertThat(after.find(actor.pid()).orElseThrow().jdkThreadId()).isEqualTo(GreenThreadInfo.NO_JDK_THREAD);
            assertThat(after.delta(before).find(actor.pid()).orElseThrow().dispatches()).isEqualTo(5);
            actor.cancel();
        }
    }

    @Test
    void aThreadSpawnedSinceKeepsItsTotalsAndAnEndedOneIsAbsent() throws Exception {
        try (Verdant rt = Verdant.start(Config.builder().workers(1).name("delta-life").build())) {
            Channel<Integer> stopOld = Channel.unbounded();
            Channel<Integer> stopNew = Channel.unbounded();
            GreenHandle<Integer> old = rt.spawn(() -> {
                return stopOld.receive();
            });
            waitUntil(() -> old.state() == GreenState.WAITING);
            RuntimeSnapshot before = rt.snapshot();
            assertThat(before.find(old.pid())).isPresent();

            stopOld.send(1);
            old.join();
            GreenHandle<Integer> young = rt.spawn(() -> {
                return stopNew.receive();
            });
            waitUntil(() -> young.state() == GreenState.WAITING
                    && SnapshotTest.info(rt, young.pid()).dispatches() >= 1); // its first slice, counted
            RuntimeSnapshot after = rt.snapshot();
            RuntimeSnapshot window = after.delta(before);

            assertThat(window.find(old.pid())).isEmpty();
            GreenThreadInfo y = window.find(young.pid()).orElseThrow();
            assertThat(y).isEqualTo(after.find(young.pid()).orElseThrow());
            assertThat(y.dispatches()).isEqualTo(1);
            assertThat(window.runtime()).isEqualTo(after.runtime());
            assertThat(window.takenNanos()).isEqualTo(after.takenNanos());
            stopNew.send(1);
            young.join();
        }
    }

    @Test
    void deltaRejectsASnapshotOfAnotherRuntimeOrALaterOne() throws Exception {
        try (Verdant a = Verdant.start(Config.builder().workers(1).name("delta-a").build());
             Verdant b = Verdant.start(Config.builder().workers(1).name("delta-b").build())) {
            RuntimeSnapshot earlier = a.snapshot();
            RuntimeSnapshot later = a.snapshot();
            RuntimeSnapshot other = b.snapshot();
            assertThatThrownBy(() -> later.delta(null)).isInstanceOf(NullPointerException.class);
            assertThatThrownBy(() -> later.delta(other)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("delta-b").hasMessageContaining("delta-a");
            RuntimeSnapshot future = new RuntimeSnapshot("delta-a", later.takenNanos() + 1, later.threads());
            assertThatThrownBy(() -> later.delta(future)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("after");
            assertThat(later.delta(earlier).threads()).hasSameSizeAs(later.threads());
        }
    }

    @Test
    void dispatchCountsWrapAt2To32AndDeltaTakesOneWrap() {
        Pid pid = io.verdant.internal.Pids.of(1, 1, 1);
        RuntimeSnapshot before = snapshotWith(pid, 0xFFFF_FFF0L, 1);
        RuntimeSnapshot after = snapshotWith(pid, 0x10L, 2);
        assertThat(after.delta(before).find(pid).orElseThrow().dispatches()).isEqualTo(0x20);
    }

    private static RuntimeSnapshot snapshotWith(Pid pid, long dispatches, long takenNanos) {
        GreenThreadInfo t = new GreenThreadInfo(pid, "t", Priority.NORMAL, GreenState.WAITING, "", null,
                Duration.ZERO, Duration.ofMillis(takenNanos), dispatches, null, null, null, null, 0, 7);
        return new RuntimeSnapshot("wrap", takenNanos, java.util.List.of(t));
    }
}
