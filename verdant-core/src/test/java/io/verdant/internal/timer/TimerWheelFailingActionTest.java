package io.verdant.internal.timer;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A timer action that throws (TimerWheel, "Firing"): every other due action of
 * the same call still runs, advance() does not throw, and the throwable goes to
 * the wheel's failure consumer, once; a failing consumer stops nothing either.
 * (Errors other than OutOfMemoryError, which JUnit takes for fatal.) Before the fix, advance() dropped its actions' throwables unreported, and a
 * throw from a node the drain found already due escaped advance() and lost the
 * rest of the inbox the drain had taken (those timers never fired).
 */
@Timeout(10)
class TimerWheelFailingActionTest {
    private static final long MS = 1_000_000L;
    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private final List<Throwable> reported = new CopyOnWriteArrayList<>();
    private final TimerWheel wheel = new TimerWheel(now::get, deadline -> { }, reported::add);

    @Test
    void everyDueActionRunsAndTheThrowablesAreReported() {
        List<String> ran = new ArrayList<>();
        long t0 = now.get();
        Error boom = new InternalError("injected: a timer action failed");
        RuntimeException bug = new IllegalStateException("injected: a defect in a timer action");
        wheel.runAt(t0 + MS, () -> ran.add("first"));
        wheel.runAt(t0 + 2 * MS, () -> {
            ran.add("second");
            throw boom;
        });
        wheel.runAt(t0 + 3 * MS, () -> ran.add("third"));
        wheel.runAt(t0 + 4 * MS, () -> {
            ran.add("fourth");
            throw bug;
        });
        wheel.runAt(t0 + 5 * MS, () -> ran.add("fifth"));

        now.set(t0 + 10 * MS);
        wheel.advance(); // must not throw

        assertThat(ran).containsExactly("first", "second", "third", "fourth", "fifth");
        assertThat(reported).as("each throwable reported once, in firing order").containsExactly(boom, bug);
        assertThat(wheel.size()).isZero();
    }

    /**
     * Nodes the drain finds already due (elapsed passed their tick while they sat
     * in the inbox: a schedule racing an advance). The clock is set back for the
     * schedule to stand for that race: the schedule reads a time before the
     * advance's, and its push lands after that advance's drain.
     */
    @Test
    void aThrowingActionAmongNodesTheDrainFindsDueStopsNoneOfThem() {
        long t0 = now.get();
        now.set(t0 + 10 * MS);
        wheel.advance(); // elapsed is now t0 + 10 ms
        List<String> ran = new ArrayList<>();
        Error boom = new StackOverflowError("injected: a timer action failed");
        now.set(t0); // the racing schedules read the earlier time: not yet due for them
        wheel.runAt(t0 + 2 * MS, () -> ran.add("a"));
        wheel.runAt(t0 + 3 * MS, () -> {
            ran.add("b");
            throw boom;
        });
        wheel.runAt(t0 + 4 * MS, () -> ran.add("c"));
        now.set(t0 + 11 * MS);

        wheel.advance(); // must not throw

        assertThat(ran).containsExactlyInAnyOrder("a", "b", "c");
        assertThat(reported).containsExactly(boom);
        assertThat(wheel.size()).isZero();
        wheel.advance();
        assertThat(ran).as("each fired once").hasSize(3);
    }

    @Test
    void aFailureConsumerThatThrowsStopsNoOtherAction() {
        List<String> ran = new ArrayList<>();
        List<Throwable> seen = new ArrayList<>();
        TimerWheel w = new TimerWheel(now::get, deadline -> { }, t -> {
            seen.add(t);
            throw new StackOverflowError("injected: the report failed");
        });
        long t0 = now.get();
        w.runAt(t0 + MS, () -> {
            throw new IllegalStateException("injected");
        });
        w.runAt(t0 + 2 * MS, () -> ran.add("after"));
        now.set(t0 + 5 * MS);
        w.advance();
        assertThat(ran).containsExactly("after");
        assertThat(seen).hasSize(1);
    }
}
