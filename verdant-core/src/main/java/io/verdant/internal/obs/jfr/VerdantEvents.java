package io.verdant.internal.obs.jfr;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Enabled;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.Period;
import jdk.jfr.StackTrace;
import jdk.jfr.Threshold;
import jdk.jfr.Throttle;
import jdk.jfr.Timespan;

/**
 * Verdant's JFR event types, category "Verdant" (one file for the eleven small
 * event classes; each is a nested public static class, as JFR requires a
 * public no-argument constructor). Loaded only when jdk.jfr is present; every
 * site creates, fills and commits an event on one thread, guarded by
 * {@code shouldCommit()} (a flag check when not recording).
 */
public final class VerdantEvents {
    private VerdantEvents() {
    }

    /** The green thread at its safepoint, acknowledging a preemption request (its stack shows where). */
    @Name("io.verdant.Preemption")
    @Label("Green Thread Preempted")
    @Category("Verdant")
    @Description("A green thread yielded its carrier at a safepoint because the ticker asked it to (time slice or priority)")
    @StackTrace(true)
    public static final class Preemption extends Event {
        /** The runtime's name. */
        @Label("Runtime") public String runtime;
        /** The preempted green thread. */
        @Label("Pid") public String pid;
        /** Its name. */
        @Label("Name") public String name;
        /** Its priority. */
        @Label("Priority") public String priority;
        /** The carrier it yielded. */
        @Label("Carrier") public String carrier;
    }

    /** A carrier held by one task past the stall threshold (committed by the stall reporter thread). */
    @Name("io.verdant.Stall")
    @Label("Carrier Stalled")
    @Category("Verdant")
    @Description("A green thread held a carrier past the stall threshold without reaching a safepoint while work waited")
    @StackTrace(false)
    public static final class Stall extends Event {
        /** The runtime's name. */
        @Label("Runtime") public String runtime;
        /** The stalled carrier. */
        @Label("Carrier") public String carrier;
        /** The green thread holding it (empty for foreign work). */
        @Label("Pid") public String pid;
        /** Its name. */
        @Label("Name") public String name;
        /** How long it had held the carrier when reported. */
        @Label("Held") @Timespan(Timespan.NANOSECONDS) public long held;
        /** The spare carrier started for it, or empty. */
        @Label("Spare") public String spare;
        /** Top frames of the stalled thread's stack (the committing thread is not the stalled one). */
        @Label("Stack") public String stack;
    }

    /** A spare carrier started or retired. */
    @Name("io.verdant.SpareCarrier")
    @Label("Spare Carrier")
    @Category("Verdant")
    @StackTrace(false)
    public static final class SpareCarrier extends Event {
        /** The runtime's name. */
        @Label("Runtime") public String runtime;
        /** The spare's thread name. */
        @Label("Spare") public String spare;
        /** True when started, false when asked to retire. */
        @Label("Started") public boolean started;
        /** The stalled carrier it stands in for. */
        @Label("Stalled Carrier") public String stalledCarrier;
    }

    /** A supervisor restarted a child. */
    @Name("io.verdant.SupervisorRestart")
    @Label("Supervisor Restart")
    @Category("Verdant")
    @StackTrace(false)
    public static final class SupervisorRestart extends Event {
        /** The supervisor's name. */
        @Label("Supervisor") public String supervisor;
        /** The supervisor's pid. */
        @Label("Supervisor Pid") public String supervisorPid;
        /** The child that ended. */
        @Label("Child") public String child;
        /** Restart strategy. */
        @Label("Strategy") public String strategy;
        /** The child's restart type. */
        @Label("Restart Type") public String restartType;
        /** Class of the failure, empty for a normal exit. */
        @Label("Cause") public String cause;
        /** The failure's message. */
        @Label("Message") public String message;
        /** Restarts within the intensity period, this one included. */
        @Label("Restarts In Period") public int restartsInPeriod;
    }

    /** A supervisor exceeded its restart intensity and gave up. */
    @Name("io.verdant.SupervisorGaveUp")
    @Label("Supervisor Gave Up")
    @Category("Verdant")
    @StackTrace(false)
    public static final class SupervisorGaveUp extends Event {
        /** The supervisor's name. */
        @Label("Supervisor") public String supervisor;
        /** The supervisor's pid. */
        @Label("Supervisor Pid") public String supervisorPid;
        /** Its restart limit. */
        @Label("Max Restarts") public int maxRestarts;
        /** Its intensity period. */
        @Label("Period") @Timespan(Timespan.NANOSECONDS) public long period;
        /** The child whose end exceeded the limit. */
        @Label("Last Child") public String lastChild;
        /** Class of its failure, empty for a normal exit. */
        @Label("Cause") public String cause;
    }

    /** A message sent to a pid that names no live green thread (at most 100 a second are recorded). */
    @Name("io.verdant.DeadLetter")
    @Label("Dead Letter")
    @Category("Verdant")
    @StackTrace(true)
    @Throttle("100/s")
    public static final class DeadLetter extends Event {
        /** The runtime's name. */
        @Label("Runtime") public String runtime;
        /** The pid the message was sent to. */
        @Label("Target") public String target;
        /** The message's class (never its contents). */
        @Label("Message Class") public String messageClass;
    }

    /** A wait for a Mutex longer than the threshold (20 ms by default). */
    @Name("io.verdant.MutexWait")
    @Label("Mutex Wait")
    @Category("Verdant")
    @Threshold("20 ms")
    @StackTrace(true)
    public static final class MutexWait extends Event {
        /** The mutex's wait reason text, e.g. "Mutex.lock #5 held by ..." when the wait began. */
        @Label("Mutex") public String mutex;
        /** The holder's pid when the wait began, or empty. */
        @Label("Holder") public String holder;
        /** The wait ended without the mutex (timeout or cancellation). */
        @Label("Timed Out") public boolean timedOut;
        /** Not recorded: the mutex, kept from the wait's start so that its text is built only for
         * a wait that passed the threshold. */
        public transient Object lockRef;
        /** Not recorded: the holder when the wait began (the text is built at the end, when the
         * waiter holds the mutex itself). */
        public transient Thread holderRef;
        /** Not recorded: the green thread holderRef ran as when the wait began (a GreenThread, or
         * null): for a dispatcher in an event actor's turn, that actor, whose turn may be over
         * by the end. */
        public transient Object holderGreen;
    }

    /** Per runtime, every second while recording: the counters of {@code Verdant.metrics()}. */
    @Name("io.verdant.RuntimeStatistics")
    @Label("Runtime Statistics")
    @Category("Verdant")
    @Period("1 s")
    @StackTrace(false)
    public static final class RuntimeStatistics extends Event {
        /** The runtime's name. */
        @Label("Runtime") public String runtime;
        /** Green threads spawned. */
        @Label("Spawned") public long spawned;
        /** Green threads ended. */
        @Label("Exited") public long exited;
        /** Live green threads. */
        @Label("Live") public long live;
        /** Dispatches. */
        @Label("Polls") public long polls;
        /** Steals. */
        @Label("Steals") public long steals;
        /** Carrier parks. */
        @Label("Parks") public long parks;
        /** Green-thread waits. */
        @Label("Waits") public long waits;
        /** Preemptions requested. */
        @Label("Preemptions Requested") public long preemptionsRequested;
        /** Preemptions honoured. */
        @Label("Preemptions Honored") public long preemptionsHonored;
        /** Stalls. */
        @Label("Stalls") public long stalls;
        /** Spares alive. */
        @Label("Spares Alive") public int sparesAlive;
        /** Dead letters. */
        @Label("Dead Letters") public long deadLetters;
        /** Supervisor restarts. */
        @Label("Supervisor Restarts") public long supervisorRestarts;
        /** Injection queue depth. */
        @Label("Injection Queue Depth") public int injectionQueueDepth;
    }

    /** Per carrier, every second while recording. */
    @Name("io.verdant.WorkerStatistics")
    @Label("Worker Statistics")
    @Category("Verdant")
    @Period("1 s")
    @StackTrace(false)
    public static final class WorkerStatistics extends Event {
        /** The runtime's name. */
        @Label("Runtime") public String runtime;
        /** The carrier's name. */
        @Label("Carrier") public String carrier;
        /** Dispatches. */
        @Label("Polls") public long polls;
        /** Steals. */
        @Label("Steals") public long steals;
        /** Parks. */
        @Label("Parks") public long parks;
        /** Ticks seen busy. */
        @Label("Busy Ticks") public long busyTicks;
        /** Local queue depth. */
        @Label("Local Queue Depth") public int localQueueDepth;
    }

    /** A green thread started (disabled by default, like jdk.VirtualThreadStart). */
    @Name("io.verdant.GreenThreadStart")
    @Label("Green Thread Start")
    @Category("Verdant")
    @Enabled(false)
    @StackTrace(false)
    public static final class GreenThreadStart extends Event {
        /** Its pid. */
        @Label("Pid") public String pid;
        /** Its name. */
        @Label("Name") public String name;
        /** Its priority. */
        @Label("Priority") public String priority;
        /** Its parent's pid, or empty. */
        @Label("Parent") public String parent;
    }

    /** A green thread ended (disabled by default, like jdk.VirtualThreadEnd). */
    @Name("io.verdant.GreenThreadEnd")
    @Label("Green Thread End")
    @Category("Verdant")
    @Enabled(false)
    @StackTrace(false)
    public static final class GreenThreadEnd extends Event {
        /** Its pid. */
        @Label("Pid") public String pid;
        /** SUCCEEDED, FAILED, or ABANDONED (the runtime closed before it ended; committed by the closing thread). */
        @Label("Outcome") public String outcome;
        /** Class of its failure, or empty. */
        @Label("Failure") public String failure;
        /** Its run time. */
        @Label("Run Time") @Timespan(Timespan.NANOSECONDS) public long runTime;
        /** Slices it ran (modulo 2^32). */
        @Label("Dispatches") public long dispatches;
    }

}
