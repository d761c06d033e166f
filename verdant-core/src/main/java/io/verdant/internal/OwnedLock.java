package io.verdant.internal;

import java.util.ArrayList;

/**
 * A lock that must be released, and marked poisoned, when the green thread
 * holding it ends without releasing it (the mutex). The holder records each
 * lock it takes in its {@code GreenThread.held} field (null, one lock, or a
 * list); only the holder itself touches that field, so it needs no
 * synchronisation. A thread that holds nothing pays one null check at exit.
 */
public abstract class OwnedLock {
    /**
     * Any thread, a snapshot: the thread holding this lock now, or null. For
     * observers (wait reasons, deadlock detection); never used for control.
     */
    public Thread holderThread() {
        return null;
    }

    /** Called on the dying holder's own thread, once per lock it still holds. */
    protected abstract void releaseByDeadOwner(Thread owner);

    /** The current thread took {@code lock}; no-op outside green threads. */
    public static void recordHeld(OwnedLock lock) {
        GreenThread<?> g = GreenThread.current();
        if (g == null) {
            return;
        }
        Object h = g.held;
        if (h == null) {
            g.held = lock;
        } else if (h instanceof OwnedLock other) {
            ArrayList<OwnedLock> list = new ArrayList<>(4);
            list.add(other);
            list.add(lock);
            g.held = list;
        } else {
            @SuppressWarnings("unchecked")
            ArrayList<OwnedLock> list = (ArrayList<OwnedLock>) h;
            list.add(lock);
        }
    }

    /** The current thread released {@code lock}; no-op outside green threads. */
    public static void recordReleased(OwnedLock lock) {
        GreenThread<?> g = GreenThread.current();
        if (g == null) {
            return;
        }
        Object h = g.held;
        if (h == lock) {
            g.held = null;
        } else if (h instanceof ArrayList<?> list) {
            list.remove(lock);
            if (list.isEmpty()) {
                g.held = null;
            }
        }
    }

    static void ownerEnded(GreenThread<?> g) {
        Object h = g.held;
        g.held = null;
        Thread t = Thread.currentThread();
        if (h instanceof OwnedLock l) {
            l.releaseByDeadOwner(t);
        } else if (h instanceof ArrayList<?> list) {
            for (Object o : list.reversed()) {
                ((OwnedLock) o).releaseByDeadOwner(t);
            }
        }
    }
}
