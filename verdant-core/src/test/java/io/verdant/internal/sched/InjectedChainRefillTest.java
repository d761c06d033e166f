package io.verdant.internal.sched;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A chain of single tasks taken from one injected level (Scheduler.pollInjectedBetween)
 * in which a task carries another priority than the level it was queued at: the
 * stray-unpark case of Dispatcher.wakeAt, where a dispatcher queued at its old level is
 * given a new one while queued. The chain's rest went whole into the ring of its first
 * task's priority, sized only for the levels looked at:
 * <ul>
 * <li>with that ring full (a carrier whose local work is LOW, at step 1b of its
 * dispatch order), the refill threw IllegalStateException out of the carrier's dispatch
 * path, and every task of the chain was lost (counted taken, in no queue);</li>
 * <li>with room there, a HIGH task behind the re-levelled one went into the LOW ring,
 * behind LOW work.</li>
 * </ul>
 * On one unstarted worker (the test thread plays the carrier).
 */
@Timeout(60)
class InjectedChainRefillTest {

    private static final int HIGH = 1;
    private static final int LOW = 3;

    /** A task that is never run here. */
    private static final class Probe extends Task {
        Probe(int priority) {
            super(priority);
        }

        @Override
        protected void dispatch(Worker worker) {
            throw new AssertionError("not run in this test");
        }
    }

    private final List<Throwable> errors = new ArrayList<>();
    private Scheduler scheduler;
    private Worker carrier;

    @BeforeEach
    void unstartedWorker() {
        scheduler = new Scheduler("chain-refill", 1, 0, 0, Duration.ofSeconds(1).toNanos(), 0, errors::add, System::nanoTime);
        carrier = scheduler.workers()[0];
    }

    /** Injects three HIGH tasks (single pushes: one chain when taken) and returns them, oldest first. */
    private List<Probe> injectThreeHigh() {
        List<Probe> injected = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            Probe p = new Probe(HIGH);
            injected.add(p);
            scheduler.inject(p);
        }
        return injected;
    }

    /** Every task queued on the carrier (its rings) and in the injection queues, each with its count. */
    private Map<Task, Integer> everythingQueued() {
        carrier.drainToInjection();
        Map<Task, Integer> seen = new IdentityHashMap<>();
        for (Task t = scheduler.injection.pollBatch(Scheduler.LEVELS, Integer.MAX_VALUE); t != null;
                t = scheduler.injection.pollBatch(Scheduler.LEVELS, Integer.MAX_VALUE)) {
            while (t != null) {
                Task next = InjectionQueue.unlinkNext(t);
                seen.merge(t, 1, Integer::sum);
                t = next;
            }
        }
        return seen;
    }

    @Test
    void aReLevelledTaskInAnInjectedChainIsNotLostWhenItsRingIsFull() {
        List<Probe> low = new ArrayList<>();
        for (int i = 0; i < LocalQueue.CAPACITY; i++) {
            Probe p = new Probe(LOW);
            low.add(p);
            carrier.pushLocalOrInject(p);
        }
        assertThat(carrier.levels[LOW].room()).isZero();
        List<Probe> high = injectThreeHigh();
        high.get(1).priority = LOW; // Dispatcher.wakeAt's stray unpark: re-levelled while queued

        // Step 1b of the dispatch order of a carrier whose best local work is LOW:
        // injected work of a better level than LOW.
        Task first = scheduler.pollInjectedHinted(carrier, LOW);

        assertThat(first).isSameAs(high.get(0));
        Map<Task, Integer> queued = everythingQueued();
        List<Task> expected = new ArrayList<>(low);
        expected.add(high.get(1));
        expected.add(high.get(2));
        assertThat(queued.keySet()).containsExactlyInAnyOrderElementsOf(expected);
        assertThat(queued.values()).allMatch(n -> n == 1);
        assertThat(errors).isEmpty();
    }

    @Test
    void aHighTaskBehindAReLevelledOneInAnInjectedChainGoesToTheHighRing() {
        List<Probe> high = injectThreeHigh();
        high.get(1).priority = LOW; // re-levelled while queued, as above

        Task first = scheduler.pollInjected(carrier);

        assertThat(first).isSameAs(high.get(0));
        // The task still HIGH is queued at HIGH, ahead of any LOW work; the re-levelled one at LOW.
        assertThat(carrier.levels[HIGH].size()).isEqualTo(1);
        assertThat(carrier.levels[LOW].size()).isEqualTo(1);
        assertThat(carrier.levelMask & (1 << HIGH)).isNotZero();
        assertThat(carrier.levels[HIGH].poll()).isSameAs(high.get(2));
        assertThat(carrier.levels[LOW].poll()).isSameAs(high.get(1));
        assertThat(errors).isEmpty();
    }
}
