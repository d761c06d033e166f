package io.verdant.internal.sched;

/**
 * Fault injection into a carrier's own bookkeeping, for tests only: proves that
 * a carrier survives whatever {@code next()}, {@code search()}, {@code park()}
 * or the error logger throw (see Worker, "Faults in the carrier's own code").
 *
 * <p>Off unless the JVM runs with {@code -Dio.verdant.internal.faults=true}
 * (verdant-core's test build sets it): {@link #ENABLED} is a static final, so
 * the JIT folds every {@link #at} call site away in a normal run and the
 * dispatch path pays nothing. When enabled, each site costs one volatile read.
 *
 * <p>One site is outside the scheduler: {@link #ownSlotPending()}, called by
 * CancelNode on a spawning green thread, lets a test cancel the spawner inside
 * the window that CancelNode's "One fence per spawn" closes (SpawnCancelRaceTest).
 * Another, {@link #spawnPublished()}, called by RuntimeCore on a spawning thread,
 * lets a test close the runtime between a child's publication and its start
 * (SpawnCloseRaceTest). A third, {@link #cancelMarked()}, called by CancelNode.cancel,
 * lets a test hold a canceller between its mark and its walk of the children
 * while the cancelled owner ends (SpawnCancelRaceTest). Two more, {@link
 * #slotPublished()} (PidTable, a spawn's publication before its read of closed)
 * and {@link #slotEmptied()} (GreenThread.finish, an ending thread that emptied
 * its pid slot and has not yet written its status), let a test close the
 * runtime inside those windows (SlotEmptierCompletesOnceTest). And
 * {@link #unmounted(Worker)}, called by GreenThread.dispatch once the JDK's
 * continuation returned, lets a test block a carrier in its post-run
 * bookkeeping (HeldTokenBlockTest). {@link #overflowAllocating()}, called by
 * LocalQueue.moveHalf, lets a test fail an overflow's allocation
 * (OverflowOutOfMemoryTest). {@link #senderWaiting()}, called by
 * MailboxBound.offer, lets a test hold a sender waiting for room in a BLOCK
 * mailbox between its publication as a waiter and its cancellation and
 * deadline checks (BlockedSenderLeavesTest). {@link #timeoutExpired()}, called by
 * Green.withTimeout once its join timed out, lets a test end the body before
 * the caller's cancel reaches it (WithTimeoutTest).
 * {@link #poolGrowing()}, called by PidTable
 * before it grows its shared pool of free indices, lets a test fail that
 * allocation (PidTableOutOfMemoryTest). {@link #sendTimerArming()}, called by
 * SendTimerCore.arm, lets a test hold an arming thread between the wheel node's
 * creation and its installation as the timer's armed node
 * (SendTimerCancelRaceTest). {@link #blockingCallStarting()}, called by a
 * Green.blocking pool thread that has claimed a call and not yet recorded
 * itself as its runner, lets a test cancel the caller there (BlockingCancelRaceTest).
 * {@link #blockingCallWaiting()}, called by a Green.blocking caller that read its call
 * as not done and has not yet checked its cancellation, lets a test finish the work and
 * interrupt the caller there (BlockingFinishedBeforeCancelTest).
 * {@link #traceRingAllocating()}, called by TraceControl before it allocates each
 * carrier's trace ring, lets a test fail that allocation (TraceRingAllocationFailureTest).
 * {@link #linkPeerSideMade()}, called by ActorCell.link once the peer's side of a
 * link is made, lets a test end the peer before the linker goes on (LinkDuringExitTest).
 * {@link #joinTimedOut()}, called by a joiner whose wait timed out before it takes its
 * node off the thread's waiters, lets a test end the thread there (JoinTimeoutRaceTest);
 * {@link #joinCancelled()} likewise for a joiner whose wait was cancelled (JoinCancelRaceTest).
 * {@link #carrierStarting(Worker)}, called by Scheduler before it starts a carrier or a
 * spare, lets a test fail that start (CarrierStartFailureTest).
 * {@link #logWriterStarting()}, called by OffThreadLog before it starts its writer
 * thread, lets a test fail that start (LogWriterStartFailureTest).
 * {@link #spawnAllocating()}, called by RuntimeCore before it allocates a spawn's
 * GreenThread, lets a test fail that allocation (SpawnOutOfMemoryTest).
 * {@link #batchSending()}, called by PidTable before it allocates a batch of free
 * indices to send home, lets a test fail that allocation (PidTableOutOfMemoryTest).
 * {@link #mailboxNodeAllocating()}, called by ActorCell before it allocates a
 * message's mailbox node, lets a test fail that allocation (MailboxNodeOutOfMemoryTest).
 * {@link #selectNodeAllocating()}, called by SelectCore before it allocates a case's
 * wait node, lets a test fail that allocation (SelectNodeOutOfMemoryTest).
 * {@link #sendLookedUp()}, called by RuntimeCore.offer once a send has found its
 * addressee alive and before it appends the message, lets a test end the addressee
 * there (VerdantCallLateReplyRaceTest).
 * {@link #callbacksCounted()}, called by an ending green thread (GreenThread.finish)
 * once it has counted its onComplete callbacks and before its live -1, lets a test
 * register a callback there (LateCallbackCloseTest).
 * {@link #spawnStarted()}, called by RuntimeCore on a spawning thread once it has
 * started the child, lets a test let the child end there (GreenThreadStartOrderTest).
 * {@link #mutexWaitEnded()}, called by a Mutex waiter whose wait ended (granted, timed
 * out or cancelled) before it reads whether it was granted, lets a test unlock the
 * mutex there (MutexWaitEventTest).
 * {@link #pollerClaimed(Worker)}, called by a carrier that has claimed a JDK sub-poller's
 * task (PollerTask.dispatch) before PollerHost takes it off its pending slots, lets a
 * test run the stall rescue there (PollerHostTest); {@link #pollerRescuing()}, called
 * by the rescuer (PollerHost.rescueIfLate) that found a late task not claimed and has
 * not yet marked its host slow, lets a test let the host's carrier run it there.
 * {@link #outsideInjecting()}, called by a thread that is not one of the runtime's
 * carriers (Scheduler.submitFromElsewhere) once it read the scheduler as not terminating
 * and before it injects its task, lets a test close the runtime there
 * (LateInjectionHandOverTest).
 * {@link #closedMarked()}, called by a closing runtime (RuntimeCore.closeHere) once it
 * is marked CLOSED and has released its waiters, before it leaves the table of open
 * runtimes, lets a test start a runtime of the same name there (JmxCloseRaceTest).
 * {@link #closeWakeListAllocating()}, called by ChannelImpl.doClose under the channel's
 * lock before it allocates the list of the waiters to wake, lets a test fail that
 * allocation (ChannelCloseOutOfMemoryTest).
 * {@link #dispatcherRetiring()}, called by a surplus event-actor dispatcher that has
 * taken itself off the pool's total and not yet off its running count
 * (Dispatchers.registerIdle), lets a test send to an idle actor there
 * (DispatcherRetireRaceTest).
 * {@link #eventActorOffering()}, called by a thread that made an event actor runnable
 * (or a dispatcher moving one) before it puts the actor in its shared run queue
 * (Dispatchers.offer), lets a test close the runtime there (EventActorOfferedAtCloseTest).
 *
 * <pre>
 * Threads
 *   hook  written by a test (any thread), read by carriers at each site (and
 *         by a spawning green thread at OWN_SLOT_PENDING).
 * </pre>
 */
public final class Faults {
    /** Read once, at class initialisation. */
    static final boolean ENABLED = Boolean.getBoolean("io.verdant.internal.faults");

    /**
     * The sites a hook can fail. SLICE_WRITTEN (a traced slice's SLICE event is
     * in the ring, the carrier's turn not over) and SLICE_ENDING (a traced dispatch
     * returned and current is cleared, its SLICE not yet written) are for holding
     * a carrier there (TraceStopInFlightTest), not for failing it: CarrierFaultTest
     * leaves them out, and TAKEN (a task's copy was
     * taken, Task.takeCopy said to run it, before its dispatch) and DISPATCHED (a
     * dispatch returned, traced or not, the carrier still names the task as current) are
     * for holding a carrier at those points (StaleCopyTest), not for failing it either.
     * OWN_SLOT_PENDING is not a carrier's: a green thread spawning a child read its own
     * token's kids (not final: the own-slot path) and has not yet stored the child in
     * its slot (CancelNode.registerOwnDeferred); the hook gets the spawner's carrier.
     * SPAWN_PUBLISHED is not a carrier's either: a spawning thread (any kind) has
     * published a child in the pid table and not yet started it (RuntimeCore.create);
     * the hook gets the spawner's carrier, or null off the carriers.
     * CANCEL_MARKED is not a carrier's either: a cancel (any thread) has set a token's
     * cancelled flag and not yet walked its children (CancelNode.cancel); the hook gets
     * the canceller's carrier, or null off the carriers.
     * SLOT_PUBLISHED and SLOT_EMPTIED are not a carrier's either: a spawning thread
     * stored its child in its pid slot and fenced, and has not yet read closed
     * (PidTable.publish); an ending green thread emptied its pid slot and has not
     * written its status (GreenThread.finish). The hook gets the caller's carrier, or null.
     * UNMOUNTED is for blocking a carrier there, not for failing it: a green thread's
     * continuation returned (the thread yielded, parked, blocked or ended), the carrier
     * gave back or passed on the thread's token (GreenThread.endRun) and has not yet
     * done its post-run bookkeeping (the lastRanAt stamp, a
     * withdrawal, Dispatcher.unmounted), as a carrier blocked on a monitor there would
     * be (HeldTokenBlockTest).
     * OVERFLOW_ALLOCATING: a ring's owner (a carrier, or a green thread on it) pushes
     * into a full local ring and is about to allocate the overflow batch, having
     * changed nothing yet (LocalQueue.moveHalf); a hook that throws OutOfMemoryError
     * there stands for that allocation failing (OverflowOutOfMemoryTest). The hook
     * gets the caller's carrier.
     * SENDER_WAITING is not a carrier's: a sender to a full BLOCK mailbox has put
     * itself among the waiters and re-checked the count, and has not yet checked
     * its cancellation and deadline (MailboxBound.offer). The hook gets the caller's
     * carrier, or null off the carriers.
     * TIMEOUT_EXPIRED is not a carrier's either: a green thread in Green.withTimeout whose
     * join of the body timed out has not yet cancelled the body (Timeouts.withTimeout); the
     * hook gets the caller's carrier, or null.
     * POOL_GROWING is not a carrier's either: a thread freeing pid indices into the pid
     * table's shared pool (under its lock) is about to grow the pool's array, having
     * changed nothing yet (PidTable.reservePoolLocked); a hook that throws
     * OutOfMemoryError there stands for that allocation failing (PidTableOutOfMemoryTest).
     * The hook gets the caller's carrier, or null.
     * BATCH_SENDING is not a carrier's either: a green thread ending on a carrier, whose pid
     * index goes home to another carrier, is about to allocate the batch it pushes there,
     * having changed nothing yet (PidTable.pushBatch); a hook that throws OutOfMemoryError
     * there stands for that allocation failing (PidTableOutOfMemoryTest). The hook gets
     * the caller's carrier, or null.
     * SEND_TIMER_ARMING is not a carrier's either: a thread arming a send timer (its
     * creator, or the thread firing its previous node) has made the new wheel node and
     * not yet installed it as the timer's armed node (SendTimerCore.arm); for holding
     * that thread there (SendTimerCancelRaceTest), not for failing it. The hook gets the
     * caller's carrier, or null.
     * SYSMON_OBSERVING is not a carrier's either: the ticker (Sysmon.tick) has read one of
     * a carrier's two values, its current task and its dispatch count, and not yet the
     * other; the hook gets the carrier observed, on the ticker thread, for holding the
     * ticker there while the carrier moves on (SysmonObserveRaceTest).
     * BLOCKING_CALL_STARTING is not a carrier's either: a Green.blocking pool thread has
     * claimed a call and not yet recorded itself as its runner (BlockingPool.Call.run);
     * for holding it there while the caller is cancelled (BlockingCancelRaceTest), not
     * for failing it. The hook gets null.
     * LINK_PEER_SIDE_MADE is not a carrier's either: a green thread linking to a peer has
     * made (or found ended) the peer's side of the link (ActorCell.link); for holding
     * it there while the peer ends (LinkDuringExitTest), not for failing it. The hook
     * gets the caller's carrier, or null.
     * JOIN_TIMED_OUT is not a carrier's either: a joiner whose wait timed out, its node
     * still on the thread's waiters (GreenThread.await); for holding it there while the
     * thread ends (JoinTimeoutRaceTest), not for failing it. The hook gets the caller's
     * carrier, or null. JOIN_CANCELLED: the same for a joiner whose wait was cancelled
     * (JoinCancelRaceTest).
     * CARRIER_STARTING is not a carrier's either: a thread (the runtime's starter, or the
     * ticker starting a spare) is about to start carrier {@code w}, a core carrier
     * (Scheduler.start) or a spare (Scheduler.startSpare); a hook that throws
     * OutOfMemoryError there stands for Thread.start failing to create the native thread
     * (CarrierStartFailureTest). The hook gets the carrier to be started.
     * LOG_WRITER_STARTING is not a carrier's either: a thread that logged through
     * OffThreadLog (its record queued) is about to start the log writer thread
     * (OffThreadLog.tryStartWriter); a hook that throws OutOfMemoryError there stands for
     * Thread.start failing (LogWriterStartFailureTest). The hook gets the caller's
     * carrier, or null.
     * SPAWN_ALLOCATING is not a carrier's either: a spawning thread (RuntimeCore.create,
     * RuntimeCore.spawnEvent) is about to allocate the new GreenThread; a hook that
     * throws OutOfMemoryError there stands for that allocation failing
     * (SpawnOutOfMemoryTest). The hook gets the caller's carrier, or null.
     * MAILBOX_NODE_ALLOCATING is not a carrier's either: a sender (any thread) is about
     * to allocate the mailbox node for its message (ActorCell.node, no spare node to
     * reuse), its place in a bounded mailbox already counted; a hook that throws
     * OutOfMemoryError there stands for that allocation failing
     * (MailboxNodeOutOfMemoryTest). The hook gets the caller's carrier, or null.
     * SELECT_NODE_ALLOCATING is not a carrier's either: a green thread in Select.select,
     * holding its channels' locks, found no case ready and is about to allocate the
     * wait node of one of its cases (SelectCore); a hook that throws OutOfMemoryError
     * there stands for that allocation failing (SelectNodeOutOfMemoryTest). The hook
     * gets the caller's carrier, or null.
     * SCOPE_CHILD_ADDING is not a carrier's either: a thread spawning into a scope has
     * spawned the child and is about to add it to the scope's list (ScopeCore.spawn); a
     * hook that throws OutOfMemoryError there stands for the list's growth failing
     * (ScopeChildListOutOfMemoryTest). ENDED_THREAD_STARTING: a carrier letting go of a
     * finished thread's virtual thread is about to start the terminated thread that
     * finished threads share (GreenThread, made once per JVM); a hook that throws
     * OutOfMemoryError there stands for "unable to create native thread"
     * (EndedThreadStartFailureTest). SELECT_RESULT_ALLOCATING: a select is about to
     * allocate its result (Select.select); a hook that throws OutOfMemoryError there
     * stands for that allocation failing (SelectResultOutOfMemoryTest). LINK_CHILD_ADDING: a spawn linking its new child
     * to the parent has made the child's side and is about to grow the parent's link
     * list (ActorCell.linkChild); a hook that throws OutOfMemoryError there stands for
     * that growth failing (LinkChildOutOfMemoryTest). The hook gets the caller's
     * carrier, or null.
     * SPAWN_STARTED is not a carrier's either: a spawning thread (any kind) has started
     * the child (RuntimeCore.create) and not yet counted its spawn; for holding it there
     * while the child runs and ends (GreenThreadStartOrderTest), not for failing it. The
     * hook gets the caller's carrier, or null.
     * MUTEX_WAIT_ENDED is not a carrier's either: a waiter in Mutex.lock whose wait
     * returned (MutexCore.lock) has not yet read whether the mutex was handed to it; for
     * holding it there while the holder unlocks (MutexWaitEventTest), not for failing
     * it. The hook gets the caller's carrier, or null.
     * POLLER_CLAIMED is for holding a carrier there, not for failing it: the carrier won
     * the claim of a JDK sub-poller's task (PollerTask.dispatch) and PollerHost has not
     * yet taken the task off its pending slots (PollerHost.ran), which the stall rescue
     * still reads (PollerHostTest). The hook gets the carrier.
     * POLLER_RESCUING is not a carrier's: the rescuer (a runtime's ticker, or a test
     * calling PollerHost.rescue) found a sub-poller task late and not claimed, and has
     * not yet marked its host slow (PollerHost.rescueIfLate); for holding it there while
     * the host's carrier runs the task (PollerHostTest), not for failing it. The hook
     * gets null (Worker.ofCaller() off the carriers).
     * OUTSIDE_INJECTING is not a carrier's either: a submitter from outside the carriers
     * read the scheduler as not terminating and has not yet injected its task
     * (Scheduler.submitFromElsewhere); for holding it there while a close runs
     * (LateInjectionHandOverTest), not for failing it. The hook gets null.
     * CLOSED_MARKED is not a carrier's either: a closing runtime's closer has marked it
     * CLOSED and released its waiters, and not yet left the table of open runtimes
     * (RuntimeCore.closeHere); for holding it there while a runtime of the same name
     * starts (JmxCloseRaceTest), not for failing it. The hook gets the closer's carrier
     * (null for a platform thread).
     * CLOSE_WAKE_LIST_ALLOCATING is not a carrier's either: a thread closing a channel
     * holds its lock and is about to allocate the list of the waiters it will wake
     * (ChannelImpl.doClose); a hook that throws OutOfMemoryError there stands for that
     * allocation failing (ChannelCloseOutOfMemoryTest). The hook gets the caller's
     * carrier, or null.
     */
    enum Site { NEXT, SEARCH, PARK, REPORT, SLICE_WRITTEN, SLICE_ENDING, TAKEN, DISPATCHED, OWN_SLOT_PENDING, SPAWN_PUBLISHED, CANCEL_MARKED,
        SLOT_PUBLISHED, SLOT_EMPTIED, UNMOUNTED, OVERFLOW_ALLOCATING, SENDER_WAITING,
        TIMEOUT_EXPIRED, POOL_GROWING, SEND_TIMER_ARMING,
        SYSMON_OBSERVING, BLOCKING_CALL_STARTING, TRACE_RING_ALLOCATING, LINK_PEER_SIDE_MADE, JOIN_TIMED_OUT,
        JOIN_CANCELLED, CARRIER_STARTING, LOG_WRITER_STARTING, SPAWN_ALLOCATING,
        MAILBOX_NODE_ALLOCATING, SELECT_NODE_ALLOCATING, SEND_LOOKED_UP, CALLBACKS_COUNTED,
        SCOPE_CHILD_ADDING, LINK_CHILD_ADDING, ENDED_THREAD_STARTING, SELECT_RESULT_ALLOCATING,
        BLOCKING_CALL_WAITING, MUTEX_WAIT_ENDED, SPAWN_STARTED, BATCH_SENDING, POLLER_CLAIMED, POLLER_RESCUING,
        OUTSIDE_INJECTING, CLOSED_MARKED, CLOSE_WAKE_LIST_ALLOCATING, DISPATCHER_RETIRING,
        EVENT_ACTOR_OFFERING }

    /** A test's fault: may throw anything, on the carrier that reached {@code site}. */
    interface Hook {
        /**
         * Called by carrier {@code w} at {@code site}.
         *
         * @param w    the carrier
         * @param site where it is
         */
        void at(Worker w, Site site);
    }

    private static volatile Hook hook;

    private Faults() {
    }

    /**
     * Tests only: installs {@code h} (null removes it).
     *
     * @param h the hook, or null
     * @throws IllegalStateException if fault injection is not enabled in this JVM
     */
    static void install(Hook h) {
        if (!ENABLED) {
            throw new IllegalStateException("run the JVM with -Dio.verdant.internal.faults=true");
        }
        hook = h;
    }

    /**
     * A spawning green thread, in CancelNode.registerOwnDeferred after its read of
     * the token's kids and before the store of the child in its slot: runs the
     * installed hook, if any, at OWN_SLOT_PENDING. Folded away unless fault
     * injection is enabled (see the class comment).
     */
    public static void ownSlotPending() {
        if (ENABLED) {
            at(Worker.ofCaller(), Site.OWN_SLOT_PENDING);
        }
    }

    /**
     * A spawning thread, in RuntimeCore.create after the child's publication in the
     * pid table and before its start: runs the installed hook, if any, at
     * SPAWN_PUBLISHED. Folded away unless fault injection is enabled.
     */
    public static void spawnPublished() {
        if (ENABLED) {
            at(Worker.ofCaller(), Site.SPAWN_PUBLISHED);
        }
    }

    /**
     * A cancelling thread, in CancelNode.cancel after it set a token's cancelled flag
     * and before it walks the token's children: runs the installed hook, if any, at
     * CANCEL_MARKED. Folded away unless fault injection is enabled.
     */
    public static void cancelMarked() {
        if (ENABLED) {
            at(Worker.ofCaller(), Site.CANCEL_MARKED);
        }
    }

    /**
     * A spawning thread, in PidTable.publish after the slot's store and fence and
     * before its read of closed: runs the installed hook, if any, at SLOT_PUBLISHED.
     * Folded away unless fault injection is enabled.
     */
    public static void slotPublished() {
        if (ENABLED) {
            at(Worker.ofCaller(), Site.SLOT_PUBLISHED);
        }
    }

    /**
     * An ending green thread, in GreenThread.finish after it emptied its pid slot
     * and before it writes its status: runs the installed hook, if any, at
     * SLOT_EMPTIED. Folded away unless fault injection is enabled.
     */
    public static void slotEmptied() {
        if (ENABLED) {
            at(Worker.ofCaller(), Site.SLOT_EMPTIED);
        }
    }

    /**
     * Carrier {@code w}, in GreenThread.dispatch after the JDK's continuation
     * returned and the token's release, before the post-run bookkeeping: runs the installed hook, if
     * any, at UNMOUNTED. Folded away unless fault injection is enabled.
     *
     * @param w the carrier
     */
    public static void unmounted(Worker w) {
        if (ENABLED) {
            at(w, Site.UNMOUNTED);
        }
    }

    /**
     * A ring's owner, in LocalQueue.moveHalf before it allocates the overflow batch:
     * runs the installed hook, if any, at OVERFLOW_ALLOCATING. Folded away unless
     * fault injection is enabled.
     */
    static void overflowAllocating() {
        if (ENABLED) {
            at(Worker.ofCaller(), Site.OVERFLOW_ALLOCATING);
        }
    }

    /**
     * A sender waiting for room in a BLOCK mailbox, in MailboxBound.offer after it
     * published itself as a waiter and re-checked the count, before its cancellation
     * and deadline checks: runs the installed hook, if any, at SENDER_WAITING.
     * Folded away unless fault injection is enabled.
     */
    public static void senderWaiting() {
        if (ENABLED) {
            at(Worker.ofCaller(), Site.SENDER_WAITING);
        }
    }

    /**
     * A green thread in Green.withTimeout, after its join of the body timed out and
     * before it cancels the body: runs the installed hook, if any, at TIMEOUT_EXPIRED.
     * Folded away unless fault injection is enabled.
     */
    public static void timeoutExpired() {
        if (ENABLED) {
            at(Worker.ofCaller(), Site.TIMEOUT_EXPIRED);
        }
    }

    /**
     * A thread freeing pid indices, in PidTable under the pool's lock, before it
     * grows the pool's array: runs the installed hook, if any, at POOL_GROWING.
     * Folded away unless fault injection is enabled.
     */
    public static void poolGrowing() {
        if (ENABLED) {
            at(Worker.ofCaller(), Site.POOL_GROWING);
        }
    }

    /**
     * A thread freeing a pid index on a carrier, in PidTable.pushBatch before it
     * allocates the batch it sends home: runs the installed hook, if any, at
     * BATCH_SENDING. Folded away unless fault injection is enabled.
     */
    public static void batchSending() {
        if (ENABLED) {
            at(Worker.ofCaller(), Site.BATCH_SENDING);
        }
    }

    /**
     * A thread arming a send timer, in SendTimerCore.arm after the wheel node's
     * creation and before its installation: runs the installed hook, if any, at
     * SEND_TIMER_ARMING. Folded away unless fault injection is enabled.
     */
    public static void sendTimerArming() {
        if (ENABLED) {
            at(Worker.ofCaller(), Site.SEND_TIMER_ARMING);
        }
    }

    /**
     * A Green.blocking pool thread, in BlockingPool.Call.run after it claimed the
     * call and before it records itself as the call's runner: runs the installed
     * hook, if any, at BLOCKING_CALL_STARTING. Folded away unless fault injection is enabled.
     */
    public static void blockingCallStarting() {
        if (ENABLED) {
            at(Worker.ofCaller(), Site.BLOCKING_CALL_STARTING);
        }
    }

    /**
     * A Green.blocking caller, in BlockingPool.call after it read its call as not done
     * and before its cancellation check: runs the installed hook, if any, at
     * BLOCKING_CALL_WAITING. Folded away unless fault injection is enabled.
     */
    public static void blockingCallWaiting() {
        if (ENABLED) {
            at(Worker.ofCaller(), Site.BLOCKING_CALL_WAITING);
        }
    }

    /**
     * A green thread in ActorCell.link, after the peer's side of the link: runs the
     * installed hook, if any, at LINK_PEER_SIDE_MADE. Folded away unless fault
     * injection is enabled.
     */
    public static void linkPeerSideMade() {
        if (ENABLED) {
            at(Worker.ofCaller(), Site.LINK_PEER_SIDE_MADE);
        }
    }

    /**
     * A joiner whose wait timed out, before it takes its node off the thread's
     * waiters (GreenThread.await): runs the installed hook, if any, at
     * JOIN_TIMED_OUT. Folded away unless fault injection is enabled.
     */
    public static void joinTimedOut() {
        if (ENABLED) {
            at(Worker.ofCaller(), Site.JOIN_TIMED_OUT);
        }
    }

    /**
     * A sender (any thread), in RuntimeCore.offer after its look-up found the
     * addressee alive and before it appends the message: runs the installed hook,
     * if any, at SEND_LOOKED_UP. Folded away unless fault injection is enabled.
     */
    public static void sendLookedUp() {
        if (ENABLED) {
            at(Worker.ofCaller(), Site.SEND_LOOKED_UP);
        }
    }

    /**
     * An ending green thread, in GreenThread.finish after it counted its onComplete
     * callbacks and before its live -1 and the swap of its waiters to DONE: runs the
     * installed hook, if any, at CALLBACKS_COUNTED. Folded away unless fault
     * injection is enabled.
     */
    public static void callbacksCounted() {
        if (ENABLED) {
            at(Worker.ofCaller(), Site.CALLBACKS_COUNTED);
        }
    }

    /**
     * A joiner whose wait was cancelled, before it takes its node off the thread's
     * waiters (GreenThread.await): runs the installed hook, if any, at
     * JOIN_CANCELLED. Folded away unless fault injection is enabled.
     */
    public static void joinCancelled() {
        if (ENABLED) {
            at(Worker.ofCaller(), Site.JOIN_CANCELLED);
        }
    }

    /**
     * A thread starting a trace (or the runtime, for its flight recorder), in
     * TraceControl.install before it allocates a carrier's ring: runs the installed
     * hook, if any, at TRACE_RING_ALLOCATING (a test throws OutOfMemoryError there).
     * Folded away unless fault injection is enabled.
     */
    static void traceRingAllocating() {
        if (ENABLED) {
            at(Worker.ofCaller(), Site.TRACE_RING_ALLOCATING);
        }
    }

    /**
     * A thread about to start carrier {@code w} (Scheduler.start, Scheduler.startSpare):
     * runs the installed hook, if any, at CARRIER_STARTING. Folded away unless fault
     * injection is enabled.
     *
     * @param w the carrier to be started
     */
    static void carrierStarting(Worker w) {
        if (ENABLED) {
            at(w, Site.CARRIER_STARTING);
        }
    }

    /**
     * A thread about to start the log writer (OffThreadLog.tryStartWriter): runs the
     * installed hook, if any, at LOG_WRITER_STARTING. Folded away unless fault
     * injection is enabled.
     */
    public static void logWriterStarting() {
        if (ENABLED) {
            at(Worker.ofCaller(), Site.LOG_WRITER_STARTING);
        }
    }

    /**
     * A spawning thread about to allocate the new GreenThread (RuntimeCore.create,
     * RuntimeCore.spawnEvent): runs the installed hook, if any, at SPAWN_ALLOCATING.
     * Folded away unless fault injection is enabled.
     */
    public static void spawnAllocating() {
        if (ENABLED) {
            at(Worker.ofCaller(), Site.SPAWN_ALLOCATING);
        }
    }

    /**
     * A sender about to allocate a mailbox node (ActorCell.node): runs the installed
     * hook, if any, at MAILBOX_NODE_ALLOCATING. Folded away unless fault injection is
     * enabled.
     */
    public static void mailboxNodeAllocating() {
        if (ENABLED) {
            at(Worker.ofCaller(), Site.MAILBOX_NODE_ALLOCATING);
        }
    }

    /**
     * A selecting thread about to allocate a case's wait node (SelectCore): runs the
     * installed hook, if any, at SELECT_NODE_ALLOCATING. Folded away unless fault
     * injection is enabled.
     */
    public static void selectNodeAllocating() {
        if (ENABLED) {
            at(Worker.ofCaller(), Site.SELECT_NODE_ALLOCATING);
        }
    }

    /**
     * A thread closing a channel, holding its lock, about to allocate the list of the
     * waiters to wake (ChannelImpl.doClose): runs the installed hook, if any, at
     * CLOSE_WAKE_LIST_ALLOCATING. Folded away unless fault injection is enabled.
     */
    public static void closeWakeListAllocating() {
        if (ENABLED) {
            at(Worker.ofCaller(), Site.CLOSE_WAKE_LIST_ALLOCATING);
        }
    }

    /**
     * A thread spawning into a scope, in ScopeCore.spawn after the child's spawn and
     * before it is added to the scope's children: runs the installed hook, if any, at
     * SCOPE_CHILD_ADDING. Folded away unless fault injection is enabled.
     */
    public static void scopeChildAdding() {
        if (ENABLED) {
            at(Worker.ofCaller(), Site.SCOPE_CHILD_ADDING);
        }
    }

    /**
     * A spawn linking its child to the parent, in ActorCell.linkChild after the
     * child's side and before the parent's: runs the installed hook, if any, at
     * LINK_CHILD_ADDING. Folded away unless fault injection is enabled.
     */
    public static void linkChildAdding() {
        if (ENABLED) {
            at(Worker.ofCaller(), Site.LINK_CHILD_ADDING);
        }
    }

    /**
     * A carrier about to start the terminated thread that finished green threads
     * share (GreenThread): runs the installed hook, if any, at ENDED_THREAD_STARTING.
     * Folded away unless fault injection is enabled.
     */
    public static void endedThreadStarting() {
        if (ENABLED) {
            at(Worker.ofCaller(), Site.ENDED_THREAD_STARTING);
        }
    }

    /**
     * A select about to allocate its result (Select.select): runs the installed hook,
     * if any, at SELECT_RESULT_ALLOCATING. Folded away unless fault injection is enabled.
     */
    public static void selectResultAllocating() {
        if (ENABLED) {
            at(Worker.ofCaller(), Site.SELECT_RESULT_ALLOCATING);
        }
    }

    /**
     * A spawning thread, in RuntimeCore.create after the child's start: runs the
     * installed hook, if any, at SPAWN_STARTED. Folded away unless fault injection is enabled.
     */
    public static void spawnStarted() {
        if (ENABLED) {
            at(Worker.ofCaller(), Site.SPAWN_STARTED);
        }
    }

    /**
     * A Mutex waiter whose wait returned, before it reads whether it was granted
     * (MutexCore.lock): runs the installed hook, if any, at MUTEX_WAIT_ENDED. Folded
     * away unless fault injection is enabled.
     */
    public static void mutexWaitEnded() {
        if (ENABLED) {
            at(Worker.ofCaller(), Site.MUTEX_WAIT_ENDED);
        }
    }

    /**
     * Carrier {@code w}, in PollerTask.dispatch after it won the task's claim and
     * before PollerHost.ran takes it off the pending slots: runs the installed hook,
     * if any, at POLLER_CLAIMED. Folded away unless fault injection is enabled.
     *
     * @param w the carrier
     */
    static void pollerClaimed(Worker w) {
        if (ENABLED) {
            at(w, Site.POLLER_CLAIMED);
        }
    }

    /**
     * The rescuer, in PollerHost.rescueIfLate after it found a task late and not
     * claimed and before it marks the task's host slow: runs the installed hook, if
     * any, at POLLER_RESCUING. Folded away unless fault injection is enabled.
     */
    static void pollerRescuing() {
        if (ENABLED) {
            at(Worker.ofCaller(), Site.POLLER_RESCUING);
        }
    }

    /**
     * A thread that is not one of the runtime's carriers (a platform thread, a JDK timer
     * or poller thread, a foreign virtual thread), in Scheduler.submitFromElsewhere after
     * submit read the scheduler as not terminating and before it injects the task: runs
     * the installed hook, if any, at OUTSIDE_INJECTING (the hook gets null). For holding
     * the submitter there while a close runs (LateInjectionHandOverTest), not for
     * failing it. Folded away unless fault injection is enabled.
     */
    static void outsideInjecting() {
        if (ENABLED) {
            at(Worker.ofCaller(), Site.OUTSIDE_INJECTING);
        }
    }

    /**
     * A closing runtime's closer, in RuntimeCore.closeHere once it marked the runtime
     * CLOSED and released its waiters: runs the installed hook, if any, at CLOSED_MARKED.
     * Folded away unless fault injection is enabled.
     */
    public static void closedMarked() {
        if (ENABLED) {
            at(Worker.ofCaller(), Site.CLOSED_MARKED);
        }
    }

    /**
     * A surplus event-actor dispatcher retiring (Dispatchers.registerIdle), after it took
     * itself off the pool's total and before it leaves the running count: runs the
     * installed hook, if any, at DISPATCHER_RETIRING (the hook gets the dispatcher's
     * carrier). For holding dispatchers there (DispatcherRetireRaceTest), not for
     * failing them. Folded away unless fault injection is enabled.
     */
    public static void dispatcherRetiring() {
        if (ENABLED) {
            at(Worker.ofCaller(), Site.DISPATCHER_RETIRING);
        }
    }

    /**
     * A thread about to put a runnable event actor in its shared run queue
     * (Dispatchers.offer): runs the installed hook, if any, at EVENT_ACTOR_OFFERING
     * (the hook gets the caller's carrier, or null off the carriers). For holding a
     * sender there while a close runs (EventActorOfferedAtCloseTest), not for failing
     * it. Folded away unless fault injection is enabled.
     */
    public static void eventActorOffering() {
        if (ENABLED) {
            at(Worker.ofCaller(), Site.EVENT_ACTOR_OFFERING);
        }
    }

    /** Carrier {@code w} at {@code site}: runs the installed hook, if any. */
    static void at(Worker w, Site site) {
        if (ENABLED) {
            Hook h = hook;
            if (h != null) {
                h.at(w, site);
            }
        }
    }
}
