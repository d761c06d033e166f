package io.verdant.internal.sched;

import org.jetbrains.lincheck.Lincheck;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;

import static io.verdant.internal.ModelCheck.check;
import static io.verdant.internal.ModelCheck.race;

/**
 * Lincheck's model checker on the injection queue directly: producers pushing
 * single tasks, chains and array batches (a ring's overflow) at two priority
 * levels, racing one or two takers and the hint's clear. Takes may come back
 * empty while a producer is half-way (documented: Vyukov's queue is not
 * linearizable there), so the checks are on what the interleaving leaves: every
 * task taken exactly once (the rest by a drain afterwards), each producer's
 * tasks of a level in push order, the counts at zero once drained, and the hint
 * never clear over a queued task at rest. Checks are plain throws: Lincheck
 * compares objects with equals, which AssertJ's assertions refuse.
 */
@Timeout(600)
class InjectionQueueModelCheckTest {
    private static final int INVOCATIONS = 100;
    /** Two takers: with the consumer flag disabled, 200 invocations found the double take, 80 did not. */
    private static final int TWO_TAKER_INVOCATIONS = 250;

    /** A task carrying an id: producer * 100 + sequence. */
    private static final class IdTask extends Task {
        final int id;

        IdTask(int id, int level) {
            super(level);
            this.id = id;
        }

        @Override
        protected void dispatch(Worker worker) {
            throw new UnsupportedOperationException("test task");
        }
    }

    /** One take of up to {@code max} tasks, appended to {@code out} with their levels (level * 1000 + id). */
    private static void take(InjectionQueue q, int max, List<Integer> out) {
        for (Task t = q.pollBatch(Scheduler.LEVELS, max); t != null; t = InjectionQueue.unlinkNext(t)) {
            out.add(t.priority * 1000 + ((IdTask) t).id);
        }
    }

    /** Takes until the queue is empty (at rest: nobody half-way). */
    private static void drain(InjectionQueue q, List<Integer> out) {
        for (int n = out.size(), guard = 0; guard < 100; guard++, n = out.size()) {
            take(q, 8, out);
            if (out.size() == n) {
                return;
            }
        }
        throw new AssertionError("the drain did not end");
    }

    /** Every id of {@code expected} taken once; each producer's ids of one level in push order. */
    private static void checkTaken(List<Integer> taken, List<Integer> expected) {
        check(taken.size() == expected.size() && taken.containsAll(expected),
                "taken " + taken + ", pushed " + expected);
        for (int i = 0; i < taken.size(); i++) {
            for (int j = i + 1; j < taken.size(); j++) {
                int a = taken.get(i);
                int b = taken.get(j);
                if (a / 100 == b / 100 && a > b) { // same level, same producer
                    throw new AssertionError("out of order: " + taken);
                }
            }
        }
    }

    private static void checkEmpty(InjectionQueue q) {
        check(q.size() == 0 && !q.hasAnyBelow(Scheduler.LEVELS), "counts after the drain: " + q.size());
    }

    @Test
    void pushesChainsAndBatchesRacingATakerAreEachTakenOnceInOrder() {
        Lincheck.runConcurrentTest(INVOCATIONS, () -> {
            InjectionQueue q = new InjectionQueue();
            List<Integer> taken = new ArrayList<>();
            race(() -> {
                q.push(new IdTask(101, 2));
                q.push(new IdTask(102, 2));
            }, () -> {
                IdTask a = new IdTask(201, 2);
                IdTask b = new IdTask(202, 2);
                a.next = b;
                q.pushBatch(a, b, 2, 2);
                q.pushArray(new Task[] {new IdTask(203, 2), new IdTask(204, 2)}, 2);
            }, () -> {
                take(q, 3, taken);
                take(q, 3, taken);
            });
            drain(q, taken);
            checkTaken(taken, List.of(2101, 2102, 2201, 2202, 2203, 2204));
            checkEmpty(q);
        });
    }

    @Test
    void twoTakersNeverTakeOneTaskTwice() {
        Lincheck.runConcurrentTest(TWO_TAKER_INVOCATIONS, () -> {
            InjectionQueue q = new InjectionQueue();
            List<Integer> taken1 = new ArrayList<>();
            List<Integer> taken2 = new ArrayList<>();
            q.push(new IdTask(101, 2));
            race(() -> {
                q.pushArray(new Task[] {new IdTask(102, 2), new IdTask(103, 2), new IdTask(104, 2)}, 2);
                q.push(new IdTask(105, 2));
            }, () -> take(q, 2, taken1), () -> take(q, 2, taken2));
            List<Integer> all = new ArrayList<>(taken1);
            all.addAll(taken2);
            drain(q, all);
            check(all.size() == 5 && all.containsAll(List.of(2101, 2102, 2103, 2104, 2105)), "taken " + all);
            checkTaken(taken1, taken1.stream().sorted().toList());
            checkTaken(taken2, taken2.stream().sorted().toList());
            checkEmpty(q);
        });
    }

    @Test
    void aTakeReturnsTheBestLevelOnceItsProducerIsDone() {
        Lincheck.runConcurrentTest(INVOCATIONS, () -> {
            InjectionQueue q = new InjectionQueue();
            List<Integer> early = new ArrayList<>();
            race(() -> q.push(new IdTask(101, 3)), () -> q.push(new IdTask(201, 1)), () -> take(q, 1, early));
            List<Integer> rest = new ArrayList<>();
            take(q, 4, rest);
            List<Integer> all = new ArrayList<>(early);
            all.addAll(rest);
            drain(q, all);
            check(all.size() == 2 && all.containsAll(List.of(3101, 1201)), "taken " + all);
            if (early.isEmpty() || early.get(0) != 1201) {
                check(rest.get(0) == 1201, "the HIGH task was not taken first at rest: " + all);
            }
            checkEmpty(q);
        });
    }

    @Test
    void theHintIsNeverClearOverAQueuedTaskAtRest() {
        Lincheck.runConcurrentTest(INVOCATIONS, () -> {
            InjectionQueue q = new InjectionQueue();
            q.push(new IdTask(100, 1));
            List<Integer> taken = new ArrayList<>();
            race(() -> q.push(new IdTask(101, 1)), () -> q.push(new IdTask(201, 2)),
                    () -> {
                        take(q, 1, taken);
                        q.clearHintsBelow(Scheduler.LEVELS);
                    });
            for (int p = 0; p < Scheduler.LEVELS; p++) {
                check(!q.holds(p) || (q.hintBits() & 1 << p) != 0, "level " + p + " holds a task, its hint bit is clear");
            }
            drain(q, taken);
            check(taken.size() == 3, "taken " + taken);
            checkEmpty(q);
        });
    }

    @Test
    void aBatchTakenInPartsIntoRingsRacingAProducerKeepsItsOrder() {
        Lincheck.runConcurrentTest(INVOCATIONS, () -> {
            InjectionQueue q = new InjectionQueue();
            q.pushArray(new Task[] {new IdTask(101, 2), new IdTask(102, 2), new IdTask(103, 2)}, 2);
            LocalQueue[] rings = new LocalQueue[Scheduler.LEVELS];
            for (int p = 0; p < rings.length; p++) {
                rings[p] = new LocalQueue();
            }
            List<Integer> taken = new ArrayList<>();
            race(() -> {
                q.push(new IdTask(104, 2));
                q.pushArray(new Task[] {new IdTask(105, 2), new IdTask(106, 2)}, 2);
            }, () -> {
                for (int round = 0; round < 3; round++) {
                    Task first = q.pollBatch(0, Scheduler.LEVELS, 2, rings);
                    if (first != null) {
                        check(first.next == null, "a task taken into a ring kept its link");
                        taken.add(first.priority * 1000 + ((IdTask) first).id);
                        for (Task t = rings[2].poll(); t != null; t = rings[2].poll()) {
                            taken.add(t.priority * 1000 + ((IdTask) t).id);
                        }
                    }
                }
            });
            drain(q, taken);
            checkTaken(taken, List.of(2101, 2102, 2103, 2104, 2105, 2106));
            checkEmpty(q);
        });
    }
}
