package io.verdant.internal.sched;

import java.util.ArrayList;
import java.util.List;

/**
 * Test access to a package-private {@link LocalQueue}: one owner queue whose
 * tasks carry int ids, and a stealer's own queue it steals into. For the
 * Lincheck model (io.verdant.lincheck) and the stress test.
 */
public final class LocalQueueHarness {
    /** A task that only carries an id. */
    public static final class IdTask extends Task {
        final int id;

        IdTask(int id) {
            super(0);
            this.id = id;
        }

        @Override
        protected void dispatch(Worker worker) {
            throw new UnsupportedOperationException("test task");
        }
    }

    private final LocalQueue owner = new LocalQueue();
    private final InjectionQueue injection = new InjectionQueue();

    /** @return the queue's capacity */
    public static int capacity() {
        return LocalQueue.CAPACITY;
    }

    /** Owner only. @return false if full */
    public boolean offer(int id) {
        return owner.offer(new IdTask(id));
    }

    /**
     * Owner only: pushes, overflowing half the ring and the new task into this
     * harness's injection queue when full.
     *
     * @param id the task's id
     * @return true if that push overflowed
     */
    public boolean push(int id) {
        return owner.push(new IdTask(id), injection);
    }

    /**
     * Any thread: takes one batch of up to {@code max} tasks from the injection queue.
     *
     * @param max most tasks to take
     * @return their ids, oldest first (empty if none)
     */
    public List<Integer> takeInjected(int max) {
        List<Integer> got = new ArrayList<>();
        Task c = injection.pollBatch(Scheduler.LEVELS, max);
        while (c != null) {
            got.add(((IdTask) c).id);
            c = InjectionQueue.unlinkNext(c);
        }
        return got;
    }

    /** @return tasks in the injection queue, a snapshot */
    public int injectedSize() {
        return injection.size();
    }

    /** @return {pushes, batch pushes, tasks pushed, pops, tasks popped} of the injection queue */
    public long[] injectionCounts() {
        return injection.counts();
    }

    /** Any thread but the owner (the ticker's take, Sysmon rule c). @return the head's id, or -1 if empty */
    public int takeOne() {
        Task t = owner.takeOne();
        return t == null ? -1 : ((IdTask) t).id;
    }

    /** Owner only. @return the head's id, or -1 if empty */
    public int poll() {
        Task t = owner.poll();
        return t == null ? -1 : ((IdTask) t).id;
    }

    /** Owner only. @return whether the last {@link #poll()} found the ring empty or took its last task */
    public boolean emptied() {
        return owner.emptied;
    }

    /** @return a snapshot of the size */
    public int size() {
        return owner.size();
    }

    /** A stealer: owns {@code into}, steals from the harness's queue into it. */
    public final class Stealer {
        private final LocalQueue into = new LocalQueue();

        /**
         * Takes a batch of up to {@code max} tasks from the injection queue into
         * its own ring (as a worker does), then drains its ring.
         *
         * @param max most tasks to take
         * @return the ids, in the order the ring gives them
         */
        public List<Integer> refillFromInjection(int max) {
            List<Integer> got = new ArrayList<>();
            Task c = injection.pollBatch(Scheduler.LEVELS, Math.min(max, into.room()));
            if (c != null) {
                if (into.offerChain(c, c.priority) != null) { // one level, sized to fit: never
                    throw new IllegalStateException("chain not appended whole");
                }
                for (Task t = into.poll(); t != null; t = into.poll()) {
                    got.add(((IdTask) t).id);
                }
            }
            return got;
        }

        /**
         * Steals from the owner queue, then drains its own queue.
         *
         * @return the ids stolen, in queue order (empty if nothing)
         */
        public List<Integer> steal() {
            List<Integer> got = new ArrayList<>();
            Task first = owner.stealInto(into);
            if (first != null) {
                got.add(((IdTask) first).id);
                for (Task t = into.poll(); t != null; t = into.poll()) {
                    got.add(((IdTask) t).id);
                }
            }
            return got;
        }
    }
}
