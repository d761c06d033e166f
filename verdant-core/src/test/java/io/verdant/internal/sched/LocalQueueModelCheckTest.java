package io.verdant.internal.sched;

import org.jetbrains.lincheck.Lincheck;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;

import io.verdant.internal.sched.LocalQueueHarness.IdTask;

import static io.verdant.internal.ModelCheck.check;
import static io.verdant.internal.ModelCheck.race;

/**
 * Lincheck's model checker on a worker's ring ({@link LocalQueue}) directly:
 * the owner offering and polling while two thieves steal half into their own
 * rings (LocalQueueLincheckTest is the stress-mode counterpart, with one
 * thief). Every task is taken exactly once, the owner's polls come out in
 * FIFO order and each steal is a run of consecutive tasks. The overflow path
 * (a full ring of 256) is not model checked: Lincheck takes its copy loop for
 * a livelock; LocalQueueOverflowTest and LocalQueueStressTest race it. Checks
 * are plain throws: Lincheck compares objects with equals, which AssertJ's
 * assertions refuse.
 */
@Timeout(600)
class LocalQueueModelCheckTest {
    private static final int INVOCATIONS = 300;

    /** A thief: one steal into its own ring, then its ring drained; the ids in order. */
    private static List<Integer> steal(LocalQueue victim) {
        LocalQueue into = new LocalQueue();
        List<Integer> got = new ArrayList<>();
        Task first = victim.stealInto(into);
        if (first != null) {
            got.add(((IdTask) first).id);
            for (Task t = into.poll(); t != null; t = into.poll()) {
                got.add(((IdTask) t).id);
            }
        }
        return got;
    }

    private static void checkRun(List<Integer> ids, String who) {
        for (int i = 1; i < ids.size(); i++) {
            check(ids.get(i) == ids.get(i - 1) + 1, who + " took a broken run: " + ids);
        }
    }

    @Test
    void theOwnerAndTwoThievesTakeEachTaskOnceInOrder() {
        Lincheck.runConcurrentTest(INVOCATIONS, () -> {
            LocalQueue q = new LocalQueue();
            q.offer(new IdTask(1));
            q.offer(new IdTask(2));
            List<Integer> owner = new ArrayList<>();
            List<List<Integer>> thieves = new ArrayList<>(List.of(List.of(), List.of()));
            race(() -> {
                q.offer(new IdTask(3));
                Task t = q.poll();
                if (t != null) {
                    owner.add(((IdTask) t).id);
                }
                q.offer(new IdTask(4));
                t = q.poll();
                if (t != null) {
                    owner.add(((IdTask) t).id);
                }
            }, () -> thieves.set(0, steal(q)), () -> thieves.set(1, steal(q)));
            for (Task t = q.poll(); t != null; t = q.poll()) {
                owner.add(((IdTask) t).id);
            }
            check(q.emptied && q.isEmpty(), "the drained ring is not empty");
            List<Integer> all = new ArrayList<>(owner);
            all.addAll(thieves.get(0));
            all.addAll(thieves.get(1));
            check(all.size() == 4 && all.containsAll(List.of(1, 2, 3, 4)),
                    "owner " + owner + ", thieves " + thieves);
            for (int i = 1; i < owner.size(); i++) {
                check(owner.get(i) > owner.get(i - 1), "the owner's polls out of order: " + owner);
            }
            checkRun(thieves.get(0), "thief 1");
            checkRun(thieves.get(1), "thief 2");
        });
    }
}
