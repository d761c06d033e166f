package io.verdant;

import java.util.function.IntConsumer;

/**
 * Tests of stack-overflow survival: runs an operation near the end of the
 * calling thread's stack, where the operation (most often the park inside it,
 * which needs more stack than the operation's own code) may overflow. The
 * thread recurses until its stack overflows, then calls the operation on the
 * way back, from {@code nearest} to 2000 frames above the deepest point, every
 * {@code every} frames, at most {@code attempts} times. The operation must be
 * made before the call: a lambda first linked near the end of the stack may
 * fail its linkage for good.
 */
final class NearStackEnd {

    /** How the calls ended: overflowed, or threw something else (a TimedOutException is a normal end). */
    static final class Counts {
        int overflows;
        int others;
        Throwable firstOther;
    }

    private NearStackEnd() {
    }

    /** The common case: from 100 frames above the deepest point, every 20 frames, with no limit. */
    static Counts call(IntConsumer op) {
        return call(100, 20, Integer.MAX_VALUE, op);
    }

    /**
     * @param op called with the number of calls made before it
     * @return how the calls ended
     */
    static Counts call(int nearest, int every, int attempts, IntConsumer op) {
        Counts counts = new Counts();
        new Object() {
            int deepest = -1;
            int made;

            void dive(int depth) {
                try {
                    dive(depth + 1);
                } catch (StackOverflowError e) {
                    deepest = Math.max(deepest, depth);
                }
                if (depth > deepest - nearest || depth < deepest - 2000 || (deepest - depth) % every != 0
                        || made >= attempts) {
                    return;
                }
                try {
                    op.accept(made++);
                } catch (StackOverflowError e) {
                    counts.overflows++;
                } catch (TimedOutException normalEnd) {
                    // nobody on the other side: the operation's normal end here
                } catch (Throwable t) {
                    if (counts.others++ == 0) {
                        counts.firstOther = t;
                    }
                }
            }
        }.dive(0);
        return counts;
    }
}
