package io.verdant.internal.chan;

import io.verdant.Channel;
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
 *    deadline already passed, report TIMEOUT. Otherwise queue one node per case
 *    (all owned by one waiter node) and unlock all.
 * 5. Park until the waiter leaves WAITING. A partner in any channel claims it
 *    by CAS (see Node), so exactly one case fires. On timeout/cancellation the
 *    waiter aborts by CAS; if a partner won first, the fired case is reported.
 * 6. Relock all channels and unlink the nodes still queued (the fired one is
 *    already unlinked by its partner), unlock.
 * </pre>
 * Any thread. No lock is held while parking or while user code runs.
 */
public final class SelectCore {
    public static final int DEFAULT = -1;
    public static final int TIMEOUT = -2;
    private static final Object BLOCKER = "Select.select";

    private SelectCore() {
    }

    /**
     * Runs one select. {@code out[0]} receives the value of a receive case and
     * {@code out[1]} is Boolean.TRUE if the fired case found its channel closed.
     *
     * @return the index of the fired case, {@link #DEFAULT} or {@link #TIMEOUT}
     */
    public static int select(Channel<?>[] channels, boolean[] sends, Object[] values, int n,
                             boolean hasDefault, long deadline, Object[] out) {
        Waits.enter("Select.select");
        ChannelImpl<?>[] locks = lockOrder(channels, n);
        int[] order = permutation(n);
        Node waiter;
        Node[] nodes;
        Thread wake = null;
        int fired = -3;
        lockAll(locks);
        try {
            for (int k = 0; k < n && fired == -3; k++) {
                int i = order[k];
                ChannelImpl<?> ch = (ChannelImpl<?>) channels[i];
                if (sends[i]) {
                    if (ch.closedLocked()) {
                        out[1] = Boolean.TRUE;
                        fired = i;
                    } else {
                        Thread t = ch.offerLocked(values[i]);
                        if (t != null) {
                            wake = t == ChannelImpl.NO_WAKE ? null : t;
                            fired = i;
                        }
                    }
                } else if (ch.countLocked() > 0) {
                    out[0] = ch.takeBufferedLocked();
                    wake = ch.refillLocked();
                    fired = i;
                } else {
                    Node s = ch.pollLiveSender();
                    if (s != null) {
                        out[0] = s.item;
                        s.complete(Node.FIRED, null);
                        wake = s.owner.thread;
                        fired = i;
                    } else if (ch.closedLocked()) {
                        out[1] = Boolean.TRUE;
                        fired = i;
                    }
                }
            }
            if (fired == -3) {
                if (hasDefault) {
                    fired = DEFAULT;
                } else if (deadline != Waits.NO_DEADLINE && Waits.remaining(deadline) <= 0) {
                    fired = TIMEOUT;
                }
            }
            if (fired != -3) {
                waiter = null;
                nodes = null;
            } else {
                waiter = new Node();
                nodes = new Node[n];
                for (int i = 0; i < n; i++) {
                    ChannelImpl<?> ch = (ChannelImpl<?>) channels[i];
                    Node node = new Node(waiter, ch, i, sends[i], sends[i] ? values[i] : null);
                    nodes[i] = node;
                    if (sends[i]) {
                        ch.enqueueSender(node);
                    } else {
                        ch.enqueueReceiver(node);
                    }
                }
            }
        } finally {
            unlockAll(locks);
        }
        if (waiter == null) {
            if (wake != null) {
                LockSupport.unpark(wake);
            }
            return fired;
        }
        return await(waiter, nodes, locks, deadline, out);
    }

    private static int await(Node waiter, Node[] nodes, ChannelImpl<?>[] locks, long deadline, Object[] out) {
        TimerWheel.Timer timer = null;
        int result;
        boolean cancelled = false;
        try {
            for (;;) {
                int s = waiter.state();
                if (s == Node.FIRED || s == Node.CLOSED) {
                    Node f = waiter.fired;
                    if (s == Node.CLOSED) {
                        out[1] = Boolean.TRUE;
                    } else if (!f.send) {
                        out[0] = waiter.value;
                    }
                    result = f.caseIndex;
                    break;
                }
                if (s == Node.WAITING) {
                    cancelled = Waits.cancelled();
                    if (cancelled || Waits.remaining(deadline) <= 0) {
                        if (waiter.tryAbort()) {
                            result = TIMEOUT;
                            break;
                        }
                        continue;
                    }
                } else if (s == Node.CLAIMED) {
                    Thread.onSpinWait();
                    continue;
                }
                timer = Waits.park(BLOCKER, deadline, timer);
            }
        } finally {
            Waits.disarm(timer);
        }
        lockAll(locks);
        try {
            for (Node node : nodes) {
                node.channel.unlinkLocked(node);
            }
        } finally {
            unlockAll(locks);
        }
        if (result == TIMEOUT && cancelled) {
            throw Waits.cancelledException("Select.select");
        }
        return result;
    }

    /** Distinct channels sorted by id. */
    private static ChannelImpl<?>[] lockOrder(Channel<?>[] channels, int n) {
        ChannelImpl<?>[] a = new ChannelImpl<?>[n];
        for (int i = 0; i < n; i++) {
            a[i] = (ChannelImpl<?>) channels[i];
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
        ThreadLocalRandom rnd = ThreadLocalRandom.current();
        for (int i = n - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }

    private static void lockAll(ChannelImpl<?>[] locks) {
        for (ChannelImpl<?> c : locks) {
            c.lock();
        }
    }

    private static void unlockAll(ChannelImpl<?>[] locks) {
        for (int i = locks.length - 1; i >= 0; i--) {
            locks[i].unlock();
        }
    }
}
