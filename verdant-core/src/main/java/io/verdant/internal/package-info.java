/**
 * The implementation of Verdant (not exported by module {@code io.verdant}):
 * the runtime core and green-thread record here, the scheduler in
 * {@code internal.sched}, timers in {@code internal.timer}, channels in
 * {@code internal.chan}, the virtual-thread factory in {@code internal.vthread}.
 *
 * <h2>Naming memory accesses</h2>
 * A field that other threads read or write is {@code volatile} and reached only
 * through a {@link java.lang.invoke.VarHandle}, declared together in a static
 * block at the end of its class. Code does not call the handle directly where
 * an accessor exists; the accessor's name says the access mode (the convention
 * of Caffeine, {@code statusOpaque}/{@code setStatusRelease}, and of JCTools'
 * {@code lv}/{@code so}/{@code cas} prefixes, spelled out):
 * <pre>
 *   xOpaque()           getOpaque: coherent per variable, no ordering of others
 *   setXOpaque(v)       setOpaque
 *   xAcquire()          getAcquire: later reads and writes stay after it
 *   setXRelease(v)      setRelease: earlier reads and writes stay before it
 *   xVolatile()         getVolatile (sequentially consistent)
 *   setXVolatile(v)     setVolatile
 *   casX(e, v)          compareAndSet (volatile semantics)
 *   getAndSetX(v)       getAndSet
 *   getAndAddX(d), getAndIncrementX()   getAndAdd
 * </pre>
 * Each accessor says which threads may call it and why its mode is the
 * weakest correct one (for example {@code Worker.lifoOpaque()},
 * {@code Worker.getAndSetLifo}, {@code LocalQueue.tailAcquire()}). A plain read
 * of a volatile field is a volatile read and is written as one only where
 * that is meant.
 *
 * <h2>Who writes which field of a {@code GreenThread}</h2>
 * A green thread's record is shared by the runtime's parts; each field has one
 * writer class (and, where it matters, one writer thread). The fields every
 * hand-off touches (runtime, runContinuation, body, kin, lastRanAt, dispatches) are
 * declared in {@code GreenThreadHead}, so they share a cache line with the
 * Task header (see there):
 * <pre>
 *   field             written by             how, when
 *   priority (Task)   Task constructor       once, before the first publication;
 *                     Dispatcher (runAt)     a dispatcher on itself, while it runs
 *                                            (it is in no queue then)
 *   worker (Task)     Worker.runTask         plain, by the carrier, before each dispatch
 *   index, generation PidTable.allocate      plain under the table's lock, before the
 *                                            slot's release store (spawning thread)
 *   vthread           RuntimeCore.spawn      plain, before the pid-table publication
 *                                            and the thread's start
 *                     GreenThread.dispatch   plain, once: a terminated stand-in after an
 *                                            unnamed thread ended (carrier)
 *   body              GreenThread            constructor; cleared by run() (own thread);
 *                     RuntimeCore.spawnEvent an event actor's EventActor, before publication
 *                     Dispatcher.call        a dispatcher puts itself back (own thread)
 *   runContinuation   GreenThread.execute    release store, once (the first submission: the start)
 *                     GreenThread.dispatch   release store, once: a never-run runnable after
 *                                            the thread ended (carrier)
 *   status, outcome   GreenThread            finish (own thread, or for an event
 *                                            actor the owner of its turn), abandon (close),
 *                                            discardUnstarted (spawner): one release
 *                                            store from ALIVE, by whoever emptied the
 *                                            pid slot (PidTable); outcome plain before it
 *   waiters           GreenThread            joiners push and unlink (CAS), onComplete
 *                                            pushes callback nodes (CAS, never
 *                                            unlinked), completion swaps in DONE
 *                                            (getAndSet)
 *   kin               CancelNode             release store by the registering thread
 *                                            before its pushing CAS; CAS (GreenThread.casKin)
 *                                            afterwards
 *   kinLink, kinPos   CancelNode             plain: the registering thread after its
 *                                            CAS (a Link) or before its slot's volatile
 *                                            store (an own slot: the chunk and position),
 *                                            an adopter after its CAS, the thread
 *                                            itself when it ends (a stale value only
 *                                            leaves a dead link for the next sweep, or
 *                                            clears a slot of an ended or cancelled
 *                                            node, which is never used again)
 *   held              OwnedLock              plain, the owning green thread only
 *   preempt           Safepoints             CAS through GreenThread.casPreempt
 *                                            (the ticker requests, the thread or
 *                                            Sysmon withdraws)
 *   cell              ActorCell              CAS once through GreenThread.casCell;
 *                     RuntimeCore.spawnEvent plain, before publication (event actors)
 *   lastRanAt         GreenThread.dispatch   plain, by the carrier, after each slice
 *   dispatches        GreenThread.dispatch   plain, by the carrier, after each slice;
 *                     Dispatcher.turn        plain, by the owning dispatcher, per turn
 *                                            (event actors, which have no slices)
 * </pre>
 */
package io.verdant.internal;
