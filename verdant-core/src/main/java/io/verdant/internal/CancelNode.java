package io.verdant.internal;

import io.verdant.CancelToken;
import io.verdant.CancelledException;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Objects;

/**
 * The implementation of {@link CancelToken}: a node in the cancellation tree of
 * a runtime's green threads.
 *
 * <pre>
 * Overview: tokens on demand, children registered at spawn
 *   GreenThread has one field for cancellation, {@code kin}:
 *     null                        a root thread (spawned from outside any green
 *                                 thread) that has not asked for its token;
 *     a CancelNode, owner != g    the token g is registered under (its
 *                                 parent's, or a Spawner.cancelWith token);
 *                                 g has no token of its own yet;
 *     a CancelNode, owner == g    g's own token (whose {@code parent} is the
 *                                 node g is registered under, or null).
 *   A thread's own token is made on first use: Green.cancelToken(), an
 *   onCancel, a cancel() aimed at it, or spawning a child. So a leaf thread
 *   that never uses cancellation (a million sleepers) costs no object; a thread
 *   that spawns costs one token, and each child costs one array slot (4 bytes)
 *   in it. Cancellation walks down through these arrays; nothing walks up.
 *
 * Children array (guarded by this node's monitor)
 *   children[0, childCount) holds the live GreenThreads registered under this
 *   node, in no particular order. Each child knows its index: g.kinSlot is
 *   index + 1 while g sits in a node's array (written under that node's
 *   monitor), 0 before it is placed, GONE once it has ended. A child that ends
 *   removes itself in O(1) under the monitor: the last entry moves into its
 *   slot (and that entry's kinSlot is updated), so nothing is ever scanned and
 *   finished children never accumulate, however many siblings there are (issue
 *   10, item 15: the previous design counted finished children and compacted
 *   by scanning the whole array under the monitor, and was seen holding a
 *   carrier 104 ms in a 1M-child storm). The array doubles when full and halves
 *   when at most a quarter used (above SHRINK_MIN): amortised O(1) per add and
 *   per removal, and never more than about four times the live children.
 *   A stale kinSlot is harmless: removal checks children[i] == g first, so an
 *   entry whose array was taken away (cancel, its node's owner ending) is
 *   simply not found.
 *
 * Orphans (a registered thread's node ends before it does)
 *   A thread that ends hands its own live children to the node it was
 *   registered under (orphans are adopted by the grandparent), so a live
 *   descendant is always reachable from every live ancestor's node, and no
 *   finished entry hides anyone. A node whose owner ended forwards later
 *   adoptions up its parent chain (it is marked {@code ended} under its monitor
 *   in the same section that empties it, so nothing lands in it afterwards).
 *   An ending child finds its holder by the same rule: from the node it was
 *   registered under, up through ended nodes, to the first that has not ended
 *   (checked under each monitor). If its orphaned entry is still in transit to
 *   that node, it is not found there; the child then marks itself GONE under
 *   that node's monitor, and the adoption, which adds under the same monitor,
 *   skips a GONE child. If the adopter has meanwhile ended too, both walk on to
 *   the same next node (ended is final and set under the monitor), so they
 *   still meet under one monitor.

 * Cancellation (cancel(), any thread; iterative, so deep trees cannot overflow)
 *   1. under the node's monitor: if already cancelled, stop; set cancelled,
 *      take the callbacks and a copy of the children;
 *   2. interrupt the owner's virtual thread (if any and still alive);
 *   3. run the callbacks (outside the monitor);
 *   4. for each child still alive: make (or take) its own token and repeat.
 *   A spawn racing with cancel: registration happens under the parent's
 *   monitor and checks {@code cancelled} there, so the child is either in the
 *   copy of step 1 or is born cancelled (and interrupted right after start).
 *
 * Memory ordering
 *   cancelled is volatile, written in step 1 under the monitor, read without
 *   it by isCancelled (the fast check of every blocking operation). The
 *   owner's interrupt comes after that write, so a thread woken by the
 *   interrupt always sees its token cancelled. kin is volatile; it changes
 *   only by CAS from "registered under P" to "own token with parent P".
 * </pre>
 */
public final class CancelNode implements CancelToken {
    private static final System.Logger LOG = System.getLogger("io.verdant");
    /** Do not shrink an array of this many slots or fewer: a thread that spawns and
     * joins in a loop keeps one small array instead of reallocating. Chosen, not measured. */
    private static final int SHRINK_MIN = 64;
    /** g.kinSlot of a thread that has ended: no node may add it any more. */
    static final int GONE = -1;
    private static final Object[] NO_CHILDREN = new Object[0];

    /** The green thread whose token this is, or null for a standalone token. */
    final GreenThread<?> owner;
    /** The node the owner is registered under (for its exit), or null. */
    final CancelNode parent;
    private volatile boolean cancelled;
    /** The owner has finished; children arriving later are forwarded to {@code parent}. Guarded by this. */
    private boolean ended;
    private Object[] children = NO_CHILDREN;
    private int childCount;
    /** null, one Reg, or an ArrayList of Reg. Guarded by this. */
    private Object callbacks;

    private CancelNode(GreenThread<?> owner, CancelNode parent, boolean cancelled) {
        this.owner = owner;
        this.parent = parent;
        this.cancelled = cancelled;
    }

    public static CancelNode standalone() {
        return new CancelNode(null, null, false);
    }

    // ------------------------------------------------------------------ per-thread entry points

    /** Any thread. {@code g}'s own token, made on first use. */
    public static CancelNode of(GreenThread<?> g) {
        for (;;) {
            Object k = g.kin;
            if (k instanceof CancelNode n && n.owner == g) {
                return n;
            }
            CancelNode parent = (CancelNode) k;
            CancelNode mine = new CancelNode(g, parent, false);
            if (g.casKin(k, mine)) {
                return mine;
            }
        }
    }

    /** Any thread; the fast check: true if {@code g}'s own token exists and is cancelled. */
    static boolean isCancelled(GreenThread<?> g) {
        return g.kin instanceof CancelNode n && n.owner == g && n.cancelled;
    }

    /**
     * Spawning thread, before {@code child} starts (its vthread is set).
     * Registers {@code child} under {@code parent}; returns true if the parent
     * is already cancelled, in which case the child is born cancelled and the
     * caller interrupts it once started.
     */
    static boolean register(CancelNode parent, GreenThread<?> child) {
        synchronized (parent) {
            if (parent.ended && parent.parent != null && !parent.cancelled) {
                // The owner finished (a Spawner.cancelWith on a dead thread's token):
                // register with its nearest live ancestor instead.
                return register(parent.parent, child);
            }
            if (parent.cancelled) {
                child.kin = new CancelNode(child, parent, true);
                return true;
            }
            child.kin = parent;
            parent.addChild(child);
            return false;
        }
    }

    /**
     * The finishing thread {@code g}, once, before its status leaves ALIVE.
     * Its live children (if it has a token) are handed to the node it was
     * registered under, so they stay reachable from its ancestors; then it
     * removes itself from the node that holds it, O(1).
     */
    static void threadEnded(GreenThread<?> g) {
        Object k = g.kin;
        if (!(k instanceof CancelNode n)) {
            return;
        }
        CancelNode under = n.owner == g ? n.parent : n;
        if (n.owner == g) {
            Object[] kids;
            int count;
            synchronized (n) {
                n.ended = true;
                kids = n.children;
                count = n.childCount;
                n.children = NO_CHILDREN;
                n.childCount = 0;
            }
            if (count > 0 && under != null) {
                under.adopt(kids, count);
            }
        }
        if (under != null) {
            under.childEnded(g);
        }
    }

    /**
     * The ending thread {@code g}, registered under this node: removes it from
     * the node that holds it (this one, or the first ancestor that has not
     * ended; see "Orphans") and marks it GONE there.
     */
    private void childEnded(GreenThread<?> g) {
        CancelNode node = this;
        for (;;) {
            CancelNode up;
            synchronized (node) {
                up = node.parent;
                if (!node.ended || up == null) {
                    node.removeChild(g);
                    return;
                }
            }
            node = up;
        }
    }

    /** Takes over the live children of a finished child (see threadEnded). */
    private void adopt(Object[] kids, int count) {
        boolean cancelNow;
        CancelNode forward = null;
        synchronized (this) {
            cancelNow = cancelled;
            if (ended) {
                forward = parent;
            } else if (!cancelNow) {
                for (int i = 0; i < count; i++) {
                    if (kids[i] instanceof GreenThread<?> g && !g.isDone()) {
                        addChild(g);
                    }
                }
            }
        }
        if (forward != null) {
            forward.adopt(kids, count);
        } else if (cancelNow) {
            for (int i = 0; i < count; i++) {
                if (kids[i] instanceof GreenThread<?> g && !g.isDone()) {
                    of(g).cancel();
                }
            }
        }
    }

    /** Any thread: the standard exception of a cancelled or interrupted wait. */
    public static CancelledException cancelledException(String operation) {
        return new CancelledException(operation + " was cancelled (the green thread's token is cancelled or the "
                + "thread was interrupted): " + Thread.currentThread());
    }

    // ------------------------------------------------------------------ CancelToken

    @Override
    public boolean isCancelled() {
        return cancelled;
    }

    @Override
    public void cancel() {
        if (cancelled || (owner != null && owner.isDone())) {
            return;
        }
        ArrayList<CancelNode> work = new ArrayList<>();
        work.add(this);
        while (!work.isEmpty()) {
            CancelNode n = work.removeLast();
            Object cbs;
            Object[] kids;
            int count;
            synchronized (n) {
                if (n.cancelled) {
                    continue;
                }
                n.cancelled = true;
                cbs = n.callbacks;
                n.callbacks = null;
                kids = n.children;
                count = n.childCount;
                n.children = NO_CHILDREN;
                n.childCount = 0;
            }
            if (n.owner != null && !n.owner.isDone()) {
                n.owner.interrupt();
            }
            if (cbs instanceof Reg r) {
                r.runOnce();
            } else if (cbs != null) {
                @SuppressWarnings("unchecked")
                ArrayList<Reg> list = (ArrayList<Reg>) cbs;
                for (Reg r : list) {
                    r.runOnce();
                }
            }
            for (int i = 0; i < count; i++) {
                if (kids[i] instanceof GreenThread<?> g && !g.isDone()) {
                    work.add(of(g));
                }
            }
        }
    }

    @Override
    public Registration onCancel(Runnable action) {
        Objects.requireNonNull(action, "action");
        Reg r = new Reg(this, action);
        synchronized (this) {
            if (!cancelled) {
                if (callbacks == null) {
                    callbacks = r;
                } else if (callbacks instanceof Reg first) {
                    ArrayList<Reg> list = new ArrayList<>(4);
                    list.add(first);
                    list.add(r);
                    callbacks = list;
                } else {
                    @SuppressWarnings("unchecked")
                    ArrayList<Reg> list = (ArrayList<Reg>) callbacks;
                    list.add(r);
                }
                return r;
            }
        }
        r.runOnce();
        return r;
    }

    /** Registers a green thread spawned with Spawner.cancelWith(this). */
    public static boolean registerUnder(CancelToken token, GreenThread<?> child) {
        return register((CancelNode) token, child);
    }

    @Override
    public String toString() {
        return "CancelToken[" + (owner != null ? owner.toString() : "standalone") + (cancelled ? ", cancelled]" : "]");
    }

    // ------------------------------------------------------------------ internals

    /** Under this node's monitor. Appends {@code child} unless it has already ended (GONE). */
    private void addChild(GreenThread<?> child) {
        if (child.kinSlot == GONE) {
            return;
        }
        if (childCount == children.length) {
            children = Arrays.copyOf(children, Math.max(8, children.length * 2));
        }
        children[childCount] = child;
        child.kinSlot = ++childCount;
    }

    /**
     * Under this node's monitor. Removes {@code g} if this node's array holds it
     * (the last entry takes its slot), and marks it GONE so no adoption adds it again. O(1) amortised.
     */
    private void removeChild(GreenThread<?> g) {
        int i = g.kinSlot - 1;
        g.kinSlot = GONE;
        if (i < 0 || i >= childCount || children[i] != g) {
            return;
        }
        Object[] a = children;
        int last = --childCount;
        Object moved = a[last];
        a[last] = null;
        if (i != last) {
            a[i] = moved;
            ((GreenThread<?>) moved).kinSlot = i + 1;
        }
        if (a.length > SHRINK_MIN && childCount * 4 <= a.length) {
            children = Arrays.copyOf(a, a.length / 2);
        }
    }

    /** Number of registered children; tests only. */
    synchronized int registeredChildren() {
        return childCount;
    }

    /** Tests only: every registered child is alive and knows its index. */
    synchronized boolean slotsConsistent() {
        for (int i = 0; i < childCount; i++) {
            if (!(children[i] instanceof GreenThread<?> g) || g.kinSlot != i + 1) {
                return false;
            }
        }
        for (int i = childCount; i < children.length; i++) {
            if (children[i] != null) {
                return false;
            }
        }
        return true;
    }

    private synchronized boolean removeCallback(Reg r) {
        if (callbacks == r) {
            callbacks = null;
            return true;
        }
        if (callbacks instanceof ArrayList<?> list) {
            return list.remove(r);
        }
        return false;
    }

    private static final class Reg implements Registration {
        private final CancelNode node;
        private Runnable action;

        Reg(CancelNode node, Runnable action) {
            this.node = node;
            this.action = action;
        }

        void runOnce() {
            Runnable a;
            synchronized (this) {
                a = action;
                action = null;
            }
            if (a != null) {
                try {
                    a.run();
                } catch (Throwable t) {
                    OffThreadLog.log(LOG, System.Logger.Level.WARNING, "onCancel callback of " + node + " threw", t);
                }
            }
        }

        @Override
        public boolean remove() {
            node.removeCallback(this);
            synchronized (this) {
                boolean had = action != null;
                action = null;
                return had;
            }
        }
    }

}
