package io.verdant.internal.sched;

import io.verdant.Config;
import io.verdant.Green;
import io.verdant.Verdant;
import io.verdant.internal.GreenThread;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The steal rule for a small ring (Worker, "A small ring"): a searching carrier
 * leaves a ring of fewer than {@link Worker#stealMin} tasks to its owner while
 * the owner runs a task, for a bounded grace, and then steals as before.
 * <ul>
 * <li>On unstarted workers with a manual clock (the test thread plays both
 * carriers): what one look steals at each point of the grace. The first test
 * fails without the rule ({@code -Dverdant.lastTaskGrace=0}: the first look takes
 * the task), the second with the rule's first form ({@code -Dverdant.stealMin=2}: a
 * ring of two or more is stolen at once).</li>
 * <li>On a running runtime: an idle carrier still runs a task queued behind a
 * thread that never gives its carrier up (no safepoint, no spare carrier): the
 * rule postpones a steal, it never prevents one. With a grace that never ends
 * ({@code -Dverdant.lastTaskGrace=9223372036854775807}) this one fails.</li>
 * </ul>
 */
@Timeout(60)
class SmallRingStealTest {

    /** A task that runs {@code body} when dispatched. */
    private static final class Probe extends Task {
        final Runnable body;

        Probe(Runnable body) {
            super(2);
            this.body = body;
        }

        @Override
        protected void dispatch(Worker worker) {
            body.run();
        }
    }

    private static Probe idle() {
        return new Probe(() -> { });
    }

    /** The manual clock of the unit tests' scheduler. */
    private final AtomicLong clock = new AtomicLong(1_000_000_000L);
    /** What that scheduler reported as internal errors. */
    private final List<Throwable> errors = new ArrayList<>();
    /** Two unstarted workers on a scheduler whose clock is {@link #clock}: the owner of a ring, and a thief. */
    private Worker owner;
    private Worker thief;
    /** The grace in force. */
    private final long grace = Worker.lastTaskGrace;
    /** The smallest ring stolen at once. */
    private final int stealMin = Worker.stealMin;

    @BeforeEach
    void unstartedWorkers() {
        Scheduler s = new Scheduler("small-ring", 2, 0, 0, Duration.ofSeconds(1).toNanos(), 0, errors::add, clock::get);
        owner = s.workers()[0];
        thief = s.workers()[1];
    }

    /** Pushes {@code n} idle probes onto the owner's ring, oldest first, and returns them in that order. */
    private List<Probe> queueOnOwner(int n) {
        List<Probe> queued = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Probe p = idle();
            queued.add(p);
            owner.pushLocalOrInject(p);
        }
        return queued;
    }

    /** One look of {@code thief} at {@code victim}, as a search makes it. */
    private static Task look(Worker victim, Worker thief) {
        return victim.stealBy(thief, thief.stealSeen, true);
    }

    @Test
    void theLastTaskOfARunningOwnerIsLeftForTheGraceThenTaken() {
        Probe queued = idle();
        owner.pushLocalOrInject(queued);
        Task[] seen = new Task[3];
        owner.runTask(new Probe(() -> {
            seen[0] = look(owner, thief);
            clock.addAndGet(grace - 1);
            seen[1] = look(owner, thief);
            clock.addAndGet(1);
            seen[2] = look(owner, thief);
        }));
        assertThat(errors).isEmpty();
        assertThat(seen[0]).as("first look: left to the running owner").isNull();
        assertThat(seen[1]).as("just inside the grace: still left").isNull();
        assertThat(seen[2]).as("the grace over: taken").isSameAs(queued);
    }

    @Test
    void theGraceCountsTheRingNotOneTaskSoAlternatingYieldersAreTaken() {
        Probe first = idle();
        Probe second = idle();
        owner.pushLocalOrInject(first);
        Task[] seen = new Task[2];
        owner.runTask(new Probe(() -> {
            seen[0] = look(owner, thief);
            // The owner runs the queued one and queues another (two yielders taking
            // turns on one carrier: its ring always holds one, never the same).
            Task popped = owner.levels[2].poll();
            assertThat(popped).isSameAs(first);
            owner.pushLocalOrInject(second);
            clock.addAndGet(grace);
            seen[1] = look(owner, thief);
        }));
        assertThat(errors).isEmpty();
        assertThat(seen[0]).isNull();
        assertThat(seen[1]).as("one task in the ring for the whole grace: taken").isSameAs(second);
    }

    @Test
    void aRingOfSeveralTasksBelowTheBoundIsLeftForTheGraceThenHalfIsStolen() {
        int n = Math.max(1, stealMin - 1);
        List<Probe> queued = queueOnOwner(n);
        Task[] seen = new Task[2];
        owner.runTask(new Probe(() -> {
            seen[0] = look(owner, thief);
            clock.addAndGet(grace);
            seen[1] = look(owner, thief);
        }));
        assertThat(errors).isEmpty();
        assertThat(seen[0]).as("%d queued, fewer than %d: left to the running owner", n, stealMin).isNull();
        assertThat(seen[1]).as("the grace over: the oldest is stolen").isSameAs(queued.get(0));
        assertThat(thief.levels[2].size()).as("with the rest of the older half").isEqualTo((n + 1) / 2 - 1);
        assertThat(owner.levels[2].size()).isEqualTo(n - (n + 1) / 2);
    }

    @Test
    void aRingOfTheBoundIsStolenAtOnceAndAnIdleOwnersRingToo() {
        List<Probe> queued = queueOnOwner(stealMin);
        Task[] seen = new Task[2];
        owner.runTask(new Probe(() -> {
            seen[0] = look(owner, thief);
            seen[1] = look(owner, thief);
        }));
        assertThat(errors).isEmpty();
        assertThat(seen[0]).as("%d queued: the oldest is stolen at once", stealMin).isSameAs(queued.get(0));
        int left = stealMin - (stealMin + 1) / 2;
        assertThat(owner.levels[2].size()).isEqualTo(left);
        if (left > 0) {
            assertThat(seen[1]).as("then %d are left, a small ring: left to the owner", left).isNull();
            // The owner runs nothing now (current is null): its ring is taken at once.
            assertThat(look(owner, thief)).isSameAs(queued.get(stealMin - left));
        }
    }

    @Test
    void theGraceRestartsAfterTheThiefRanSomething() {
        Probe queued = idle();
        owner.pushLocalOrInject(queued);
        Task[] seen = new Task[3];
        owner.runTask(new Probe(() -> {
            seen[0] = look(owner, thief);
            clock.addAndGet(grace - 1);
            thief.runTask(idle()); // the thief found other work meanwhile
            clock.addAndGet(1);
            seen[1] = look(owner, thief);
            clock.addAndGet(grace);
            seen[2] = look(owner, thief);
        }));
        assertThat(errors).isEmpty();
        assertThat(seen[0]).isNull();
        assertThat(seen[1]).as("a new grace began after the thief's own dispatch").isNull();
        assertThat(seen[2]).isSameAs(queued);
    }

    /**
     * Two carriers, no spare, no time slices: a thread spawns a child and then spins,
     * without a safepoint, until the child has run. Its carrier never dispatches
     * again, so only the idle carrier can run the child, through a steal of its
     * carrier's small ring; the rule may make it wait for the grace, never longer.
     * Repeated, so that the idle carrier is sometimes parked, sometimes searching.
     */
    @Test
    void anIdleCarrierTakesTheLastTaskOfACarrierThatNeverLetsGo() throws Exception {
        try (Verdant rt = Verdant.start(Config.builder().workers(2).maxSpareCarriers(0).timeslice(Duration.ZERO)
                .name("small-ring-progress").build())) {
            int rounds = 200;
            AtomicInteger elsewhere = new AtomicInteger();
            for (int i = 0; i < rounds; i++) {
                boolean ran = rt.run(() -> {
                    Worker mine = GreenThread.current().lastWorker();
                    AtomicBoolean done = new AtomicBoolean();
                    AtomicBoolean onOther = new AtomicBoolean();
                    Green.spawn(() -> {
                        onOther.set(GreenThread.current().lastWorker() != mine);
                        done.set(true);
                    });
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                    while (!done.get() && System.nanoTime() - deadline < 0) {
                        Thread.onSpinWait(); // no safepoint: this carrier is held
                    }
                    if (onOther.get()) {
                        elsewhere.incrementAndGet();
                    }
                    return done.get();
                });
                assertThat(ran).as("round %d: the child ran while its spawner held the carrier", i).isTrue();
            }
            assertThat(elsewhere.get()).as("every child ran on the other carrier").isEqualTo(rounds);
        }
    }
}
