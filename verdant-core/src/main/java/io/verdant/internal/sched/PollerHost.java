package io.verdant.internal.sched;

import io.verdant.internal.timer.Clock;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandleProxies;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.ref.Reference;
import java.lang.ref.WeakReference;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The scheduler of the JDK's socket sub-pollers: runs them on the carriers of a
 * live runtime, so that their wake-ups of green threads are local pushes, as the
 * JDK's default scheduler makes them for its own virtual threads.
 *
 * <pre>
 * Why (issue 11, http)
 *   On Linux the JDK (25) polls sockets with a platform "MasterPoller" thread
 *   and virtual "SubPoller" threads (sun.nio.ch.Poller, VTHREAD_POLLERS mode):
 *   a socket that becomes ready makes the master unpark a sub-poller, which
 *   runs, epolls without blocking, unparks the threads whose sockets are ready,
 *   yields, and polls again until it finds nothing. On the default scheduler the
 *   sub-poller runs on the pool's carriers, so each unpark is a push to that
 *   carrier's local queue. With the sub-pollers on the default pool and the
 *   green threads on Verdant, every wake-up crossed from a pool thread to a
 *   carrier through the injection queue, and the sub-poller needed a pool thread
 *   woken (a futex round trip) besides: one more OS thread per wake-up batch.
 *
 * How
 *   JdkPollers initialises sun.nio.ch.Poller from a virtual thread whose
 *   scheduler is this executor; the sub-pollers inherit it. Each time the JDK
 *   submits a sub-poller's continuation, execute() wraps it in a PollerTask and
 *   submits it to a host: the runtime whose carrier calls (a sub-poller's yield
 *   is submitted by the carrier it ran on), else a live host (see "Which
 *   host"); with no host alive it goes to the JDK's default scheduler (fallback). A sub-poller
 *   running on a carrier of runtime R that unparks a green thread of R pushes it
 *   to that carrier's local queue (Scheduler.submit, "a foreign virtual thread
 *   mounted on one of our workers"); one of another runtime, or a default
 *   virtual thread, is submitted as from any other thread.
 *
 * Start-up
 *   JdkPollers initialises the JDK's poller from a virtual thread of this
 *   scheduler before the first runtime has started, so with no host that
 *   thread, and the first run of each sub-poller it starts (which registers it
 *   with the master poller), would go to the fallback: the first Verdant.start()
 *   then waited for a free carrier of the JDK's default scheduler (3.5 s behind
 *   one CPU-bound default virtual thread at parallelism 1, JdkPollersTest). For
 *   that window JdkPollers sets a bootstrap executor (a platform thread per
 *   task; the init thread and one per sub-poller, once per JVM) used instead.
 *
 * Which host
 *   A submission from outside the hosts (the master poller's unpark, a yield on
 *   the fallback) goes to the live host the sub-poller last ran on (lastHosts,
 *   set when a carrier runs it), else to the first live host, in start order,
 *   that has an idle carrier, else to the first live host that no rescue has
 *   marked slow (Scheduler.pollerSlow: set by a rescue off it, cleared when one
 *   of its carriers runs a sub-poller again), else to the first live host. A
 *   rescue off a host (see "stall" below) clears the sub-poller's last host, so
 *   the next submission chooses afresh. Without the slow mark, a round trip
 *   whose wake-up came while the serving runtime's only carrier was busy for a
 *   moment (no idle carrier anywhere) went to the first host, a runtime whose
 *   carrier a green thread held, and waited for a rescue every time
 *   (SocketsAcrossRuntimesTest: median 100 ms, 2 full suites in a row). Before, it always went to the first live host:
 *   with two runtimes in one JVM, one whose carrier a green thread held (no
 *   safepoint, spares off) made every socket wake-up of the other, idle one
 *   wait for that rescue, about two stall thresholds per round trip
 *   (PollerHostTest, SocketsAcrossRuntimesTest). Single runtime: as before.
 *
 * A sub-poller must never be lost: every socket of the JVM that one of them
 *   polls would hang. A task handed to a host can be dropped by it (a runtime
 *   that terminates drops what is queued), or wait behind a carrier that a
 *   green thread holds. So:
 *   pending   every PollerTask submitted and not yet run: in one of SLOTS array
 *             slots (see "Pending slots"), else in the overflow set.
 *   claimed   a PollerTask runs exactly once: whoever wins its claim (the host's
 *             carrier that dispatches it, runElsewhere, or the fallback's run of
 *             a rescued task) runs it.
 *   end       Scheduler.terminate sets terminating, then calls hostEnded, which
 *             takes the host out of hosts and moves every pending task that was
 *             handed to it to the fallback. Against a concurrent execute():
 *             execute adds the task to pending, then reads terminating
 *             (Scheduler.submitPoller); terminate writes terminating, then reads
 *             pending (both volatile / CAS, so sequentially consistent): either
 *             the sweep sees the task, or execute sees terminating and moves it
 *             itself.
 *   stall     the host's ticker calls rescue() each tick: a task waiting longer
 *             than the host's stall threshold (a green thread holds its carrier,
 *             or the OS has not run the carrier it woke) is also handed to the
 *             fallback, once (PollerTask.rescued), so sockets of other runtimes
 *             and of default virtual threads never wait for a green thread to
 *             yield. It stays queued on its host too, and pending: whichever of
 *             the two gets to it first claims it. The fallback's carriers can be
 *             held as well (by CPU-bound default virtual threads); a task that
 *             moved there for good then waited for them even after its host came
 *             free: a green thread's socket read, at parallelism 1 with the
 *             default carrier held, was not woken within 20 s on the loaded
 *             2-core machine (JdkPollersTest, PollerStartProbe), and never while
 *             the fallback stayed held (PollerHostTest).
 *             The rescuer's steps for a late task t of host s (rescueIfLate):
 *               1. t claimed already (its claimant has not yet taken it off
 *                  pending): skip it. Before, such a task, being run by s's
 *                  carrier, was counted as a rescue, handed to the fallback for
 *                  nothing and cleared its sub-poller's last host.
 *               2. Write s.pollerSlow = true (volatile).
 *               3. Read t's claim again (volatile). Claimed: write pollerSlow =
 *                  false and skip t. A carrier claims (CAS), then in ran()
 *                  reads pollerSlow and clears it; both sides write, then read
 *                  the other's variable, so either the rescuer sees the claim
 *                  or the carrier sees the mark. Before, a claim and ran() that
 *                  fell between the rescuer's read of the slot and its mark left
 *                  s marked slow with its carrier running sub-pollers, until its
 *                  next sub-poller run (PollerHostTest). Only s's ticker marks
 *                  s, and a claim of t by anyone but s's carrier (runElsewhere:
 *                  s is ending) leaves s out of "Which host" anyway, so the
 *                  take-back erases no other task's mark that should stay.
 *               4. Otherwise hand t to the fallback: mark it rescued, clear its
 *                  sub-poller's last host, count it (Scheduler.pollerRescues),
 *                  execute runRescued. s's carrier may still win t's claim after
 *                  step 3: the count is of tasks handed over after waiting past
 *                  the threshold unclaimed, not of tasks the fallback ran.
 *             The carrier's side is unchanged: its claim, ran()'s remove and its
 *             read of pollerSlow were there before; no atomic or fence was added
 *             to a dispatch.
 *   A task moved to the fallback has lost nothing but locality for one round:
 *   the sub-poller's next submission comes back to a host.
 *
 * Home carriers (issue 11, http: where the kernel's time per request went)
 *   Each sub-poller has a home: core carrier (its number) mod (the host's core
 *   workers), numbered in the order PollerHost first sees its continuation
 *   (the JDK's runContinuation, one object per virtual thread, so identity
 *   names the sub-poller). A submission made on the home carrier (the
 *   sub-poller's yield after a poll that found events) is queued there as
 *   before; any other (the master poller's unpark, a yield on a carrier that
 *   stole it) goes to the home's inbox (Scheduler.sendHome). Why: a sub-poller
 *   pushes the threads it wakes to the carrier it runs on, and the JDK splits
 *   the sockets among the sub-pollers by descriptor (fd & (n - 1)), so a
 *   sub-poller that always runs on the same carrier wakes each socket's thread
 *   on the same carrier, whose CPU holds the socket's kernel state from the
 *   previous request. Before, the master's unparks were injected and taken by
 *   whichever carrier looked first: under wrk -c100 at 2 workers about half of
 *   the handlers' wake-ups ran them on the other carrier than their previous
 *   dispatch (0.40-0.44 carrier changes per request, counted; 0.10-0.14 with
 *   homes, docs/networking.md). The kernel's TCP read and write cost more per
 *   request than under default virtual threads (perf, BENCHMARKS.md); that
 *   this was the cause is not measured yet. Sub-pollers beyond SLOTS numbered
 *   ones have no home (submitted as before); so do those of a host with one
 *   worker (nothing to choose). The inbox keeps every guarantee below: the
 *   task is pending until claimed, a carrier takes it from a home held by a
 *   long task or descheduled once it has waited Worker.INBOX_GRACE_NANOS
 *   (Worker, inbox), and rescue bounds its wait.
 *   On by default; -Dverdant.pollerHomes=false turns it off (a benchmarking
 *   switch). Homes trade locality against a sub-poller's wait for a home the
 *   OS has descheduled: a searching carrier takes a late inbox (Worker,
 *   stealBy), and a busy one, which never searches, looks at the other
 *   carriers' inboxes every GLOBAL_INTERVAL dispatches (Worker.takeLateInbox);
 *   before that second rule, wrk -c100's p99 on the loaded 2-core VM was
 *   34-140 ms in five of seven windows with homes against 3-28 ms without.
 *   Figures, quiet and with two CPU hogs: docs/networking.md.
 *
 * Class-loader unloading
 *   The sub-pollers live as long as the JVM, and each holds the scheduler it
 *   was created with. Had that been this object, the sub-pollers would keep
 *   this class, and so the class loader that loaded Verdant, for good: a
 *   deployment in an app server or plugin host that started the JVM's first
 *   runtime was never collected (ClassLoaderUnloadTest). So their scheduler is
 *   jdkScheduler(): an Executor made only of JDK classes (a method-handle
 *   proxy of Executor, defined in java.base's loader) that reaches this object
 *   through a WeakReference, and the fallback once it is cleared (this loader
 *   collected: no runtime of it can be open, so the fallback is where each
 *   submission would go anyway).
 *
 * Pending slots
 *   A sub-poller has at most one submission outstanding (the JDK submits a
 *   virtual thread's continuation once per unpark or yield), so pending holds
 *   about as many tasks as the JVM has sub-pollers. add() writes the task's slot
 *   index into it, then CASes it into the first free slot (a volatile write:
 *   the sequentially consistent add of "end"); remove() CASes that slot back to
 *   null. Only a full array (more than SLOTS submissions outstanding) puts a
 *   task in the overflow set, marked slot -1. Before, pending was a concurrent
 *   hash set: each submission paid an identity hash (a runtime call on a fresh
 *   object), a node and the set's shared size counter, whose contention between
 *   the master poller and the carriers made C2 recompile ConcurrentHashMap's
 *   methods mid-run (issue 11, http: BENCHMARKS.md).
 * </pre>
 */
public final class PollerHost implements Executor {
    /** The one instance, or null if this JDK's default scheduler cannot be reached (JdkPollers then does not use it). */
    public static final PollerHost INSTANCE = create();

    private final Executor fallback;
    /** Live real-time schedulers, in start order (Scheduler.start adds, terminate removes). */
    private final CopyOnWriteArrayList<Scheduler> hosts = new CopyOnWriteArrayList<>();
    /**
     * Whether sub-pollers have home carriers (see "Home carriers"). A benchmarking
     * switch, not an API: true unless {@code -Dverdant.pollerHomes=false}; not final
     * so that a comparison or a test in one process can alternate both (read per
     * submission).
     */
    static boolean homes = !"false".equalsIgnoreCase(System.getProperty("verdant.pollerHomes"));
    /** Slots of the pending array (see "Pending slots"): far more than a JVM's sub-pollers. */
    static final int SLOTS = 64;
    /** Submitted and not yet run (see "A sub-poller must never be lost" and "Pending slots"). */
    private final AtomicReferenceArray<PollerTask> slots = new AtomicReferenceArray<>(SLOTS);
    /** Pending tasks that found every slot taken (slot -1); empty in practice. */
    private final Set<PollerTask> overflow = ConcurrentHashMap.newKeySet();
    /** Set only while JdkPollers initialises the JDK's poller (see "Start-up"); else null. */
    private volatile Executor bootstrap;
    /** By sub-poller number: the host it last ran on, cleared when a rescue moved it off
     * that host or the host ended (see "Which host"); a hint (read opaque). */
    private final AtomicReferenceArray<Scheduler> lastHosts = new AtomicReferenceArray<>(SLOTS);
    /** The sub-pollers' continuations seen so far, by number (see "Home carriers"):
     * copy-on-write under this, at most SLOTS; read without a lock. */
    private volatile Runnable[] numbered = new Runnable[0];

    PollerHost(Executor fallback) {
        this.fallback = fallback;
    }

    /**
     * JdkPollers only, around the JDK poller's initialisation: while {@code b} is
     * set, what would go to the fallback for want of a host goes to {@code b}
     * instead (see "Start-up"); null restores the fallback.
     */
    public void bootstrap(Executor b) {
        bootstrap = b;
    }

    private static PollerHost create() {
        Executor fallback = io.verdant.internal.vthread.VirtualThreads.defaultScheduler();
        return fallback == null ? null : new PollerHost(fallback);
    }

    /**
     * JdkPollers: the scheduler to give the JDK's sub-pollers, which delegates to
     * this host while it is reachable, then to the fallback (see "Class-loader
     * unloading"); null if this JDK refuses to build it (then the sub-pollers stay
     * on the default scheduler).
     */
    public Executor jdkScheduler() {
        try {
            MethodHandles.Lookup l = MethodHandles.publicLookup();
            MethodHandle get = l.findVirtual(Reference.class, "get", MethodType.methodType(Object.class))
                    .bindTo(new WeakReference<Executor>(this)); // ()Object
            MethodHandle isNull = l.findStatic(java.util.Objects.class, "isNull",
                    MethodType.methodType(boolean.class, Object.class));
            MethodHandle orFallback = MethodHandles.guardWithTest(isNull,
                    MethodHandles.dropArguments(MethodHandles.constant(Executor.class, fallback), 0, Object.class),
                    MethodHandles.identity(Object.class).asType(MethodType.methodType(Executor.class, Object.class)));
            MethodHandle execute = l.findVirtual(Executor.class, "execute",
                    MethodType.methodType(void.class, Runnable.class)); // (Executor, Runnable)void
            MethodHandle h = MethodHandles.collectArguments(execute, 0,
                    MethodHandles.filterReturnValue(get, orFallback)); // (Runnable)void
            return MethodHandleProxies.asInterfaceInstance(Executor.class, h);
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    /** Any thread (the JDK, submitting a sub-poller's continuation). Never throws for want of a host. */
    @Override
    public void execute(Runnable continuation) {
        if (hosts.isEmpty()) {
            Executor b = bootstrap;
            (b != null ? b : fallback).execute(continuation);
            return;
        }
        int n = number(continuation);
        Scheduler s = null;
        if (Thread.currentThread() instanceof Worker w && !w.scheduler.isTerminating() && hosts.contains(w.scheduler)) {
            s = w.scheduler;
        } else {
            s = outsideHost(n);
        }
        if (s == null) {
            fallback.execute(continuation);
            return;
        }
        PollerTask t = new PollerTask(continuation, this, s, Clock.SYSTEM.nanoTime(), n);
        add(t);
        if (!s.submitPoller(t, homes && s.workerCount() > 1 ? n : -1)) {
            runElsewhere(t);
        }
    }

    /**
     * execute, for a submission from outside the hosts: the live host sub-poller
     * {@code n} last ran on, else the first live host with an idle carrier, else
     * the first live host, else null (see "Which host").
     */
    private Scheduler outsideHost(int n) {
        Scheduler last = n >= 0 ? lastHosts.getOpaque(n) : null;
        if (last != null && !last.isTerminating() && hosts.contains(last)) {
            return last;
        }
        Scheduler first = null;
        Scheduler firstResponsive = null;
        for (Scheduler h : hosts) {
            if (!h.isTerminating()) {
                if (h.hasIdleCarrier()) {
                    return h;
                }
                if (first == null) {
                    first = h;
                }
                if (firstResponsive == null && !h.pollerSlow) {
                    firstResponsive = h;
                }
            }
        }
        return firstResponsive != null ? firstResponsive : first;
    }

    /** Any thread (execute): the number of the sub-poller {@code continuation} runs, or -1 past SLOTS (see "Home carriers"). */
    int number(Runnable continuation) {
        int i = indexOf(numbered, continuation);
        if (i >= 0) {
            return i;
        }
        synchronized (this) {
            Runnable[] known = numbered;
            i = indexOf(known, continuation);
            if (i >= 0 || known.length >= SLOTS) {
                return i;
            }
            Runnable[] grown = java.util.Arrays.copyOf(known, known.length + 1);
            grown[known.length] = continuation;
            numbered = grown;
            return known.length;
        }
    }

    /** The index of {@code continuation} (by identity) in {@code known}, or -1. */
    private static int indexOf(Runnable[] known, Runnable continuation) {
        for (int i = 0; i < known.length; i++) {
            if (known[i] == continuation) {
                return i;
            }
        }
        return -1;
    }

    /** execute, before handing {@code t} to a host: {@code t} is pending (see "Pending slots"). */
    private void add(PollerTask t) {
        for (int i = 0; i < SLOTS; i++) {
            if (slots.getPlain(i) == null) {
                t.slot = i; // published by the CAS below
                if (slots.compareAndSet(i, null, t)) {
                    return;
                }
            }
        }
        t.slot = -1;
        overflow.add(t);
    }

    /** The claimant of {@code t}, once: {@code t} is no longer pending. */
    private void remove(PollerTask t) {
        int i = t.slot;
        if (i >= 0) {
            slots.compareAndSet(i, t, null);
        } else {
            overflow.remove(t);
        }
    }

    /** Scheduler.start: {@code s} may host sub-pollers from now on. */
    void hostStarted(Scheduler s) {
        hosts.addIfAbsent(s);
    }

    /** Scheduler.terminate, after setting terminating: moves what {@code s} holds to the fallback. */
    void hostEnded(Scheduler s) {
        hosts.remove(s);
        for (int i = 0; i < SLOTS; i++) {
            lastHosts.compareAndSet(i, s, null); // no reference to an ended runtime stays
        }
        for (int i = 0; i < SLOTS; i++) {
            PollerTask t = slots.get(i);
            if (t != null && t.host == s) {
                runElsewhere(t);
            }
        }
        for (PollerTask t : overflow) {
            if (t.host == s) {
                runElsewhere(t);
            }
        }
    }

    /** {@code s}'s ticker, once per tick: moves tasks that waited longer than {@code maxWaitNanos} to the fallback. */
    void rescue(Scheduler s, long maxWaitNanos) {
        long now = 0;
        for (int i = 0; i < SLOTS; i++) {
            PollerTask t = slots.get(i);
            if (t != null && t.host == s) {
                if (now == 0) {
                    now = Clock.SYSTEM.nanoTime();
                }
                rescueIfLate(s, t, now, maxWaitNanos);
            }
        }
        if (!overflow.isEmpty()) {
            long late = Clock.SYSTEM.nanoTime();
            for (PollerTask t : overflow) {
                if (t.host == s) {
                    rescueIfLate(s, t, late, maxWaitNanos);
                }
            }
        }
    }

    /**
     * rescue() (the rescuer: {@code s}'s ticker) for a pending task {@code t} of
     * {@code s}: hands it to the fallback if it waited longer than
     * {@code maxWaitNanos} and no one has claimed it (see "stall", the rescuer's steps).
     */
    private void rescueIfLate(Scheduler s, PollerTask t, long now, long maxWaitNanos) {
        if (t.rescued || now - t.submittedAt <= maxWaitNanos) {
            return;
        }
        if (t.isClaimed()) {
            return; // 1. run or running, not yet taken off pending: nothing to rescue
        }
        Faults.pollerRescuing();
        s.pollerSlow = true; // 2.
        if (t.isClaimed()) {
            // 3. Claimed since step 1: its claimant's ran() may have read pollerSlow
            // before step 2, so the mark is taken back here (as ran() would have).
            s.pollerSlow = false;
            return;
        }
        // 4. Unclaimed after the mark: handed over, counted once.
        t.rescued = true;
        if (t.number >= 0) {
            lastHosts.compareAndSet(t.number, s, null); // s was too slow: choose afresh next time
        }
        s.pollerRescued();
        // Not claimed here: s's carrier may still get to it first (see "stall").
        fallback.execute(() -> runRescued(t));
    }

    /** The fallback, for a task that rescue() handed it: runs it unless its host's carrier (or runElsewhere) claimed it first. */
    private void runRescued(PollerTask t) {
        if (t.claim()) {
            remove(t);
            t.continuation.run();
        }
    }

    /** Any thread: runs {@code t} on the fallback unless it has run or is running. */
    private void runElsewhere(PollerTask t) {
        if (t.claim()) {
            remove(t);
            fallback.execute(t.continuation);
        }
    }

    /** PollerTask.dispatch, having claimed it. */
    void ran(PollerTask t) {
        remove(t);
        if (t.host.pollerSlow) {
            t.host.pollerSlow = false; // its carriers run sub-pollers again
        }
        if (t.number >= 0) {
            // Set, then re-check terminating: hostEnded writes terminating, then clears.
            // One of the two sees the other (both volatile), so no ended host stays here.
            lastHosts.set(t.number, t.host);
            if (t.host.isTerminating()) {
                lastHosts.compareAndSet(t.number, t.host, null);
            }
        }
    }

    /** Tests and diagnostics: sub-poller submissions not yet run; a snapshot. */
    public int pendingCount() {
        int n = overflow.size();
        for (int i = 0; i < SLOTS; i++) {
            if (slots.get(i) != null) {
                n++;
            }
        }
        return n;
    }

    /** Tests and diagnostics: true if {@code s} may host sub-pollers now. */
    public boolean hosts(Scheduler s) {
        return hosts.contains(s);
    }
}
