package io.verdant.internal.obs;

import io.verdant.Pid;
import io.verdant.internal.ActorCell;
import io.verdant.internal.CallWait;
import io.verdant.internal.Deadline;
import io.verdant.internal.GreenThread;
import io.verdant.internal.JoinWait;
import io.verdant.internal.MailboxBound;
import io.verdant.internal.OwnedLock;
import io.verdant.internal.sync.MutexCore;

/**
 * Turns a park blocker ({@link java.util.concurrent.locks.LockSupport#getBlocker})
 * into a wait reason and, where there is one, the green thread waited for.
 *
 * <pre>
 * Blockers Verdant parks with
 *   GreenThread g   join                  "join &lt;1.4.0&gt; 'db'", waits for g
 *   ActorCell       receive               "receive (mailbox)"
 *   Mutex           Mutex.lock            the MutexCore behind it (registerMutex), as below
 *   OwnedLock       Mutex.lock            its toString ("Mutex.lock #5 held by &lt;1.3.0&gt; 'w'"), waits for its holder
 *   String          channel, select, ...  the string itself
 *   Deadline        Green.sleep           "sleep 250 ms"
 *   MailboxBound    send to a full        its toString ("Mailbox of &lt;1.2.0&gt; 'db' bounded(64) full"),
 *                   BLOCK mailbox         waits for the owner while the mailbox is full (blockingOwner)
 *   ReplyTo         Green.call, Ref.call  the CallWait behind it (registerReplyTo): "Green.call &lt;1.4.0&gt; 'db'",
 *                   (the reply)           waits for the callee while the call waits; once the call
 *                                         has ended (a reply came), no wait at all (Wait.over)
 *   CallWait        rt.call's temporary   "Verdant.call &lt;1.4.0&gt; 'db'", waits for the callee until a
 *                   thread (the reply)    message is queued for it (which wakes it); its caller joins it
 *   BlockingPool    Green.blocking        its toString ("Green.blocking (running)")
 *   .Call
 *   JoinWait        get/join of a handle's its toString ("toCompletableFuture of &lt;1.4.0&gt;"),
 *                   toCompletableFuture() waits for the handle's thread (joined())
 *   JoinWait        get of a green        its toString ("executor task (running in &lt;1.5.0&gt;)"),
 *                   executor's future     waits for the thread running the task (joined())
 *   Verdant's own   TaskScope,            its toString (Verdant's own objects print ids and
 *   classes         Channel, ...          counts, never message contents or guarded values)
 * Other blockers (the JDK's, user objects) are named by class only: their
 * toString could print user data. "Verdant's own" is decided by where the class
 * comes from, not by its package's prefix (isVerdants): a class of io.verdant or
 * io.verdant.internal[.*] exactly, from Verdant's own module when it is a named
 * one, else from the same code source (jar or classes directory) as this class. A
 * user's class in io.verdant.examples or io.verdant.foo, or one put in Verdant's
 * packages on the class path from another jar, is named by class only (its
 * toString could print a message's contents, which wait reasons never show). A
 * toString that throws is rendered as the class name: snapshot() and dump() do
 * not throw because of a blocker.
 * A holder (or parked thread) that is a dispatcher running an event actor's
 * handler stands for that actor (greenOf: GreenThread.actingAs), as
 * Green.self() does in the handler.
 * </pre>
 * Any thread; reads only. The blocker is read once by the caller: a thread may
 * have moved on by the time its reason is rendered.
 */
public final class WaitReasons {
    private static volatile Class<?> mutexClass;
    private static volatile java.util.function.Function<Object, OwnedLock> mutexCore;

    private WaitReasons() {
    }

    private static volatile Class<?> replyToClass;
    private static volatile java.util.function.Function<Object, Object> replyCore;

    /**
     * Called once by io.verdant.ReplyTo's initializer: how to find the wait behind a ReplyTo
     * blocker, an AbandonedWaits (for close) and a CallWait (for wait reasons).
     */
    public static void registerReplyTo(Class<?> type, java.util.function.Function<Object, Object> core) {
        replyCore = core;
        replyToClass = type;
    }

    /**
     * The internal object behind a park blocker: the lock of a Mutex, the call
     * wait of a ReplyTo (a CallWait), else the blocker itself (for AbandonedWaits,
     * and for wait reasons). Any thread.
     *
     * @param blocker a park blocker, or null
     * @return what the blocker stands for, or null
     */
    public static Object waitedOn(Object blocker) {
        Class<?> rc = replyToClass;
        return blocker != null && blocker.getClass() == rc ? replyCore.apply(blocker) : unwrap(blocker);
    }

    /** Called once by io.verdant.Mutex's initializer: how to find the lock behind a Mutex blocker. */
    public static void registerMutex(Class<?> type, java.util.function.Function<Object, OwnedLock> core) {
        mutexCore = core;
        mutexClass = type;
    }

    /**
     * The blocker itself, or the lock behind it when it is a Mutex. Any thread.
     *
     * @param blocker a park blocker, or null
     * @return the blocker, its lock, or null
     */
    public static Object unwrap(Object blocker) {
        Class<?> mc = mutexClass;
        return blocker != null && blocker.getClass() == mc ? mutexCore.apply(blocker) : blocker;
    }

    /** The wait reason for {@code blocker}; "" if null. */
    public static String render(Object parkBlocker) {
        Object blocker = waitedOn(parkBlocker);
        if (blocker == null) {
            return "";
        }
        if (blocker instanceof CallWait c) {
            return c.callReason();
        }
        if (blocker instanceof GreenThread<?> g) {
            return "join " + describe(g);
        }
        if (blocker instanceof ActorCell) {
            return "receive (mailbox)";
        }
        if (blocker instanceof String s) {
            return s;
        }
        if (blocker instanceof Deadline d) {
            return "sleep " + (d.isForever() ? "forever" : duration(d.timeout()));
        }
        Class<?> c = blocker.getClass();
        if (blocker instanceof OwnedLock || OWN.get(c)) {
            try {
                return String.valueOf(blocker);
            } catch (Exception | LinkageError | StackOverflowError e) {
                return c.getName(); // a wait reason must not make a snapshot or dump throw
            }
        }
        return c.getName();
    }

    /** Per class: whether it is one of Verdant's own (isVerdants), computed once. */
    private static final ClassValue<Boolean> OWN = new ClassValue<>() {
        @Override
        protected Boolean computeValue(Class<?> type) {
            return isVerdants(type);
        }
    };

    /**
     * Whether {@code c} is Verdant's own (class comment): in io.verdant or
     * io.verdant.internal[.*], and from Verdant's named module, or, on the class path,
     * from this class's loader and code source.
     */
    static boolean isVerdants(Class<?> c) {
        String pkg = c.getPackageName();
        if (!pkg.equals("io.verdant") && !pkg.equals("io.verdant.internal") && !pkg.startsWith("io.verdant.internal.")) {
            return false;
        }
        Module own = WaitReasons.class.getModule();
        if (own.isNamed()) {
            return c.getModule() == own;
        }
        if (c.getClassLoader() != WaitReasons.class.getClassLoader()) {
            return false;
        }
        String from = sourceOf(c);
        return from != null && from.equals(sourceOf(WaitReasons.class));
    }

    /** Where {@code c} was loaded from (its code source's location), or null if unknown. */
    private static String sourceOf(Class<?> c) {
        java.security.CodeSource cs = c.getProtectionDomain().getCodeSource();
        return cs == null || cs.getLocation() == null ? null : cs.getLocation().toString();
    }

    /** {@code d} as "250 ms", "3 s", "1.5 s" or "40 us". */
    static String duration(java.time.Duration d) {
        long nanos = d.toNanos();
        if (nanos < 1_000_000) {
            return nanos / 1_000 + " us";
        }
        if (nanos < 1_000_000_000) {
            return nanos / 1_000_000 + " ms";
        }
        if (nanos < 10_000_000_000L && nanos % 1_000_000_000 != 0) {
            return nanos / 1_000_000 / 1000.0 + " s";
        }
        return nanos / 1_000_000_000 + " s";
    }

    /**
     * The wait reason for {@code blocker} as a trace shows it, rendered at export,
     * perhaps long after the park: what {@link #render} says, less what describes
     * the blocker's state now rather than at the park (a mutex's holder).
     *
     * @param parkBlocker a blocker a slice parked on, or null
     * @return the reason; "" if null
     */
    public static String renderLater(Object parkBlocker) {
        String r = render(parkBlocker);
        if (unwrap(parkBlocker) instanceof OwnedLock) {
            int held = r.indexOf(" held by ");
            int cut = held >= 0 ? held : r.endsWith(" free") ? r.length() - " free".length() : r.length();
            return r.substring(0, cut);
        }
        return r;
    }

    /**
     * Carrier, at the end of a traced slice that parked: who holds the mutex
     * {@code parkBlocker} stands for, as a number (no string work, nothing
     * allocated: a class test and a few field reads). Rendered at export by
     * {@link TraceData#holder}.
     *
     * A holder that is {@code parked} itself is not the one it waited for: unlock
     * hands the mutex to its first waiter, which may happen before the carrier reads
     * it (a thread never parks on a mutex it holds); it counts as none.
     *
     * @param parkBlocker the blocker the slice parked on, or null
     * @param parked      the thread that parked on it
     * @return the holder's task id ({@link TraceEvent}) if a green thread holds it,
     *         minus the holder's {@code threadId()} if another thread does, 0 if the
     *         blocker is no mutex, the mutex is free or {@code parked} holds it
     */
    public static long holderId(Object parkBlocker, Thread parked) {
        Class<?> mc = mutexClass;
        if (parkBlocker == null || parkBlocker.getClass() != mc) {
            return 0;
        }
        OwnedLock m = mutexCore.apply(parkBlocker);
        Thread h = m.holderThread();
        if (h == null || h == parked) {
            return 0;
        }
        GreenThread<?> g = greenOf(h); // a dispatcher in a handler: the actor
        if (m.holderThread() != h) {
            // Unlocked between the two reads: for a dispatcher the turn may have ended
            // too, and greenOf named the dispatcher, not the actor that held it
            // (TraceWakeSourcesTest, once under load). Counts as none, as a hand-over.
            return 0;
        }
        return g != null ? g.traceId() : -h.threadId();
    }

    /**
     * A wait reason and the green thread waited for, or null.
     *
     * @param reason     as {@link #render}
     * @param waitingFor as {@link #waitingFor}
     * @param over       true if the thread is parked on a wait that has already ended (a
     *                   call whose reply came): it waits for nothing, reason "" and
     *                   waitingFor null, and a snapshot shows it RUNNABLE
     */
    public record Wait(String reason, GreenThread<?> waitingFor, boolean over) {
        Wait(String reason, GreenThread<?> waitingFor) {
            this(reason, waitingFor, false);
        }
    }

    /** The wait of a thread still parked on a wait that has ended (its call got its reply): none. */
    private static final Wait OVER = new Wait("", null, true);

    /**
     * The wait reason and the thread waited for of a thread parked on {@code parkBlocker},
     * from one read of a mutex's holder, so the two name the same holder (read twice, a
     * hand-over between the reads made a thread's reason name one holder and its
     * waitingFor another).
     */
    public static Wait of(Object parkBlocker) {
        if (unwrap(parkBlocker) instanceof MutexCore m) {
            Thread holder = m.holderThread();
            GreenThread<?> g = greenOf(holder);
            // A holder that unlocked between the reads (a dispatcher's turn may have
            // ended too: greenOf then names the dispatcher): read again, a few times.
            for (int i = 0; i < 3 && m.holderThread() != holder; i++) {
                holder = m.holderThread();
                g = greenOf(holder);
            }
            return new Wait(m.describe(holder, g), g);
        }
        if (waitedOn(parkBlocker) instanceof CallWait c) {
            GreenThread<?> callee = c.awaitedCallee();
            return callee == null ? OVER : new Wait(c.callReason(), callee);
        }
        return new Wait(render(parkBlocker), waitingFor(parkBlocker));
    }

    /** The green thread a thread parked on {@code blocker} waits for (join target, mutex holder), or null. */
    public static GreenThread<?> waitingFor(Object parkBlocker) {
        Object blocker = waitedOn(parkBlocker);
        if (blocker instanceof GreenThread<?> g) {
            return g;
        }
        if (blocker instanceof OwnedLock l) {
            return greenOf(l.holderThread());
        }
        if (blocker instanceof JoinWait j) {
            return j.joined(); // a get or join of a handle's CompletableFuture, a get of an executor task
        }
        if (blocker instanceof CallWait c) {
            return c.awaitedCallee(); // a call's caller, while its call waits for the reply
        }
        if (blocker instanceof MailboxBound b) {
            return b.blockingOwner(); // a sender waiting for room, while the mailbox is full
        }
        return null;
    }

    /**
     * The green thread that code on {@code t} runs as, or null: the green thread whose
     * virtual thread is {@code t}, or, for a dispatcher in an event actor's turn, that
     * actor (a lock its handler holds, a wait it makes, are the actor's: naming the
     * dispatcher named the wrong holder).
     */
    public static GreenThread<?> greenOf(Thread t) {
        GreenThread<?> g = GreenThread.of(t);
        return g != null ? g.actingAs() : null;
    }

    /** " held by &lt;pid&gt; 'name'" for a holder thread; " free" for null. */
    public static String heldBy(Thread holder) {
        return heldBy(holder, greenOf(holder));
    }

    /** As {@link #heldBy(Thread)}, with {@code g}, the green thread the holder runs (or ran) as, or null. */
    public static String heldBy(Thread holder, GreenThread<?> g) {
        if (holder == null) {
            return " free";
        }
        return " held by " + (g != null ? describe(g) : holder.getName().isEmpty() ? "thread #" + holder.threadId()
                : "'" + holder.getName() + "'");
    }

    /** "&lt;pid&gt; 'name'" (name omitted when empty; an event actor's is its own). */
    public static String describe(GreenThread<?> g) {
        Pid p = g.pid();
        String n = g.name();
        return n.isEmpty() ? p.toString() : p + " '" + n + "'";
    }
}
