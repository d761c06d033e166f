package io.verdant.internal.chan;

import io.verdant.internal.Deadline;
import io.verdant.internal.Waits;
import io.verdant.internal.timer.TimerWheel;

import java.util.Arrays;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.LockSupport;

/**
 * The select algorithm behind {@code io.verdant.Select} (after Go's selectgo).
 *
 * <pre>
 * 1. enter (safepoint, cancellation check).
 * 2. Lock every distinct channel of the cases, in channel-id order (so two
 *    selects sharing channels cannot deadlock).
 * 3. Scan the cases in a fresh random permutation; the first that can complete
 *    now completes (send: a live receiver or room; receive: a buffered value or
 *    a live sender; either: the channel is closed -> that case reports closed).
 *    A random order makes the choice fair among ready cases.
 * 4. Nothing ready: with a default case, unlock and report DEFAULT; with a
 *    deadline already passed, report TIMED_OUT. Otherwise queue one node per case
 *    (all owned by one waiter node) and unlock all.
 * 5. Park until the waiter leaves WAITING. A partner in any channel claims it
 *    by CAS (see Node), so exactly one case fires. On timeout/cancellation the
 *    waiter aborts by CAS; if a partner won first, the fired case is reported.
 * 6. Relock all channels and unlink the nodes still queued (the fired one is
 *    already unlinked by its partner), unlock. Also when the wait of step 5
 *    throws (a StackOverflowError in park): the waiter aborts first, so no
 *    case it leaves queued can take a value for a select that is gone.
 *
 * Overflow (a select deep in a runaway recursion)
 *   Any call can throw StackOverflowError at its entry, also one on the way
 *   out (SpinLock, "Overflow"); the select's own frame is where it is caught,
 *   and there only stores, which make no call, are safe.
 *   - Locks: steps 2 and 6 count the locks taken in the frame that takes them
 *     (held), and their finally releases exactly those, by unlock() or, should
 *     that call overflow, by a volatile store of each lock word still held. A
 *     lock whose lock() overflowed was not taken (its CAS is the last thing it
 *     does); one unlock() released is not stored again (another thread may hold
 *     it by then).
 *   - Cases: an error while step 4 queues the cases (all locks held, so nobody
 *     can have claimed the waiter) marks the waiter ABORTED by a volatile store
 *     before the locks are released. A wait that threw aborts the waiter by CAS
 *     (tryAbort) and, should that call overflow, by a store if it still reads
 *     WAITING (see Node: a partner that claimed it just before still completes
 *     it; nobody reads the state after). An aborted waiter's queued cases are
 *     dead: every partner drops them (pollLive*), so none takes or gives a value.
 *     Should step 6's unlinking overflow too, those dead cases stay queued until
 *     a partner drops them.
 *   Nothing is added on the path that does not overflow: the count is a local,
 *   the catches cost nothing until they catch.
 * </pre>
 * Any thread. No lock is held while parking or while user code runs.
 */
public final class SelectCore {
    /** await's result when the caller gave up because it was cancelled (select throws, never returns it). */
    private static final SelectResult CANCELLED = new SelectResult.TimedOut();

    private SelectCore() {
    }

    /**
     * Runs one select over {@code cases[0..n)}. Any thread.
     *
     * @param cases the cases (channels must be distinct objects or not: both work)
     * @param n how many of {@code cases} are in use
     * @param hasDefault true if the select completes with {@link SelectResult#DEFAULT}
     *        instead of waiting
     * @param deadline how long to wait for a case (ignored with a default)
     * @return how the select ended
     * @throws io.verdant.CancelledException if the caller is cancelled or interrupted and
     *         the select may wait (no default): a non-blocking select, like the channels'
     *         try forms, does not check, so a cancelled thread can still use it in its clean-up
     */
    public static SelectResult select(SelectCase[] cases, int n, boolean hasDefault, Deadline deadline) {
        return select(cases, n, hasDefault, deadline, new SelectResult.Fired(-1, null));
    }

    /**
     * As {@link #select(SelectCase[], int, boolean, Deadline)}, filling in {@code fired}
     * (made by the caller before anything is taken or sent) if a case fires.
     *
     * @param fired the result if a case fires
     */
    public static SelectResult select(SelectCase[] cases, int n, boolean hasDefault, Deadline deadline,
                                      SelectResult.Fired fired) {
        if (hasDefault) {
            io.verdant.internal.Safepoints.point("Select.select");
        } else {
            Waits.enter("Select.select");
        }
        ChannelImpl<?>[] locks = lockOrder(cases, n);
        int[] order = permutation(n);
        SelectNode waiter = null;
        SelectNode[] nodes = null;
        Thread wake = null;
        SelectResult result = null;
        int held = 0; // locks taken, in order ("Overflow")
        try {
            while (held < locks.length) {
                locks[held].lock();
                held++;
            }
            for (int k = 0; k < n && result == null; k++) {
                int i = order[k];
                SelectCase c = cases[i];
                ChannelImpl<?> ch = c.channel();
                if (c.send()) {
                    if (ch.closedLocked()) {
                        result = new SelectResult.Closed(i);
                    } else {
                        Thread t = ch.offerLocked(c.value());
                        if (t != null) {
                            wake = t == ChannelImpl.NO_WAKE ? null : t;
                            result = fired.fill(i, null);
                        }
                    }
                } else if (ch.countLocked() > 0) {
                    Object v = ch.takeBufferedLocked();
                    wake = ch.refillLocked();
                    result = fired.fill(i, v);
                } else {
                    Node s = ch.pollLiveSender();
                    if (s != null) {
                        Object v = s.item;
                        wake = s.owner.thread;
                        s.complete(Node.FIRED, null);
                        result = fired.fill(i, v);
                    } else if (ch.closedLocked()) {
                        result = new SelectResult.Closed(i);
                    }
                }
            }
            if (result == null) {
                if (hasDefault) {
                    result = SelectResult.DEFAULT;
                } else if (deadline.expired()) {
                    result = SelectResult.TIMED_OUT;
                }
            }
            if (result == null) {
                nodes = new SelectNode[n];
                SelectNode w = new SelectNode();
                w.cases = nodes;
                w.locks = locks;
                // Every node is made before any is queued: an allocation that fails
                // (OutOfMemoryError) then leaves no node of this select in a channel,
                // where a later send or receive would complete it for nobody
                // (SelectNodeOutOfMemoryTest).
                for (int i = 0; i < n; i++) {
                    SelectCase c = cases[i];
                    io.verdant.internal.sched.Faults.selectNodeAllocating();
                    nodes[i] = new SelectNode(w, c.channel(), i, c.send(), c.send() ? c.value() : null);
                }
                waiter = w; // from here on cases may be queued: the catch below aborts it
                for (int i = 0; i < n; i++) {
                    SelectCase c = cases[i];
                    if (c.send()) {
                        c.channel().enqueueSender(nodes[i]);
                    } else {
                        c.channel().enqueueReceiver(nodes[i]);
                    }
                }
            }
        } catch (Throwable t) {
            if (waiter != null) {
                // Cases may be queued (an enqueue overflowed at its entry). Every lock is
                // held, so nobody has claimed the waiter: abort it with a store, no call
                // ("Overflow"), before the locks go.
                waiter.state = Node.ABORTED;
            }
            throw t;
        } finally {
            // Release exactly the locks taken, inline: a call here could overflow ("Overflow").
            try {
                while (held > 0) {
                    locks[held - 1].unlock();
                    held--;
                }
            } catch (StackOverflowError e) {
                while (held > 0) {
                    locks[--held].lock = 0; // see SpinLock, "Overflow"
                }
            }
        }
        if (waiter == null) {
            if (wake != null) {
                LockSupport.unpark(wake);
            }
            return result;
        }
        SelectResult waited;
        try {
            waited = await(waiter, locks, deadline, fired);
        } catch (Throwable t) {
            // The wait threw (a StackOverflowError in park or at a call's entry, an
            // OutOfMemoryError arming the timer): the waiter may still be WAITING. It
            // aborts first, or a partner could later complete a case nobody reports (a
            // sender's value handed to a select that is gone, a receiver given a value
            // taken from it); should a partner have won first, that case completed and
            // the throw still propagates. Then step 6. Both from this frame, which has
            // the stack the failed wait needed; either may still overflow ("Overflow").
            try {
                waiter.tryAbort();
            } catch (StackOverflowError e) {
                if (waiter.state == Node.WAITING) {
                    waiter.state = Node.ABORTED;
                }
            }
            try {
                withdraw(nodes, locks);
            } catch (StackOverflowError e) {
                // The cases are dead (the waiter is not WAITING): partners drop them.
            }
            throw t;
        }
        withdraw(nodes, locks);
        if (waited == CANCELLED) {
            throw Waits.cancelledException("Select.select");
        }
        return waited;
    }

    /** Step 5: parks until a case fires, the channel of one is closed, or the caller gives up. */
    private static SelectResult await(SelectNode waiter, ChannelImpl<?>[] locks, Deadline deadline,
                                      SelectResult.Fired fired) {
        TimerWheel.Timer timer = null;
        try {
            for (;;) {
                int s = waiter.stateAcquire();
                if (s == Node.FIRED || s == Node.CLOSED) {
                    SelectNode f = waiter.fired;
                    if (s == Node.CLOSED) {
                        return new SelectResult.Closed(f.caseIndex);
                    }
                    return fired.fill(f.caseIndex, f.send ? null : waiter.item);
                }
                if (s == Node.WAITING) {
                    boolean cancelled = Waits.cancelled();
                    if (cancelled || deadline.expired()) {
                        if (waiter.tryAbort()) {
                            return cancelled ? CANCELLED : SelectResult.TIMED_OUT;
                        }
                        continue;
                    }
                } else if (s == Node.CLAIMED) {
                    Thread.onSpinWait();
                    continue;
                } else if (s == Node.ABORTED) {
                    return CANCELLED; // withdrawn by close: abandoned (ChannelImpl.dropAbandoned)
                }
                // The blocker: the lowest-id channel stands for the select's channels
                // (a select with no cases waits for its deadline alone).
                timer = Waits.park(locks.length > 0 ? locks[0] : deadline, deadline, timer);
            }
        } finally {
            Waits.disarm(timer);
        }
    }

    /**
     * Step 6: unlinks the case nodes still queued (the fired one is already
     * unlinked by its partner). The waiter has left WAITING (a case fired, a
     * channel closed, or it aborted), so the cases are dead. Counts the locks it
     * takes and releases exactly those, also when a call overflows ("Overflow").
     */
    private static void withdraw(SelectNode[] nodes, ChannelImpl<?>[] locks) {
        int held = 0;
        try {
            while (held < locks.length) {
                locks[held].lock();
                held++;
            }
            for (SelectNode node : nodes) {
                node.channel.unlinkLocked(node);
            }
        } finally {
            try {
                while (held > 0) {
                    locks[held - 1].unlock();
                    held--;
                }
            } catch (StackOverflowError e) {
                while (held > 0) {
                    locks[--held].lock = 0; // see SpinLock, "Overflow"
                }
            }
        }
    }

    /**
     * Close of the runtime of the thread of {@code waiter}, which it abandoned
     * parked in this select (the blocker's channel has aborted the waiter and
     * unlinked its own case: ChannelImpl.dropAbandoned): unlinks the cases still
     * queued in the other channels, as the select's step 6 would, so that an idle
     * channel does not keep them and the dead thread. Any thread holding no
     * channel lock.
     */
    static void withdrawAbandoned(SelectNode waiter) {
        withdraw(waiter.cases, waiter.locks);
    }

    /** Distinct channels sorted by id. */
    private static ChannelImpl<?>[] lockOrder(SelectCase[] cases, int n) {
        ChannelImpl<?>[] a = new ChannelImpl<?>[n];
        for (int i = 0; i < n; i++) {
            a[i] = cases[i].channel();
        }
        Arrays.sort(a, (x, y) -> Long.compare(x.id, y.id));
        int m = 0;
        for (int i = 0; i < n; i++) {
            if (m == 0 || a[m - 1] != a[i]) {
                a[m++] = a[i];
            }
        }
        return m == n ? a : Arrays.copyOf(a, m);
    }

    private static int[] permutation(int n) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        java.util.random.RandomGenerator rnd = fairnessRandom();
        for (int i = n - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }

    /**
     * The source of select's fair choice: the deterministic runtime's seeded
     * random source for its green threads and for the virtual threads they
     * start (foreign tasks, on its carrier), so the choice is part of the
     * schedule; else ThreadLocalRandom.
     */
    private static java.util.random.RandomGenerator fairnessRandom() {
        if (!io.verdant.internal.det.DetScheduler.anyOpen()) {
            return ThreadLocalRandom.current();
        }
        io.verdant.internal.GreenThread<?> g = io.verdant.internal.GreenThread.current();
        io.verdant.internal.det.DetScheduler det = g != null ? g.runtime().det
                : io.verdant.internal.det.DetScheduler.ofForeignCaller();
        return det != null ? det.random() : ThreadLocalRandom.current();
    }
}
