package io.verdant.internal;

import io.verdant.CancelToken;
import io.verdant.Priority;
import org.jetbrains.lincheck.Lincheck;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static io.verdant.internal.ModelCheck.check;
import static io.verdant.internal.ModelCheck.race;

/**
 * Lincheck's model checker on {@link CancelNode} directly: every interleaving
 * (up to the invocation count) of two or three platform threads racing a
 * cancel against callback registration and removal, child registration (the
 * shared chain and the owner's own slots) and a child's end (its children
 * handed up). The green threads are bare {@link GreenThread} records that
 * never run: an unstarted platform thread stands for the virtual thread (so
 * the cancel's interrupt has a target) and the test ends one by writing its
 * status, as its completer would after threadEnded. Checks are plain throws:
 * Lincheck compares objects with equals, which AssertJ's assertions refuse.
 */
@Timeout(600)
class CancelNodeModelCheckTest {
    private static final int INVOCATIONS = 150;
    private static final VarHandle STATUS;

    static {
        try {
            STATUS = MethodHandles.privateLookupIn(GreenThread.class, MethodHandles.lookup())
                    .findVarHandle(GreenThread.class, "status", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** A green thread record that never runs; its "virtual thread" is an unstarted platform thread. */
    private static GreenThread<Void> thread() {
        GreenThread<Void> g = new GreenThread<>(null, () -> null, Priority.NORMAL);
        g.vthread = Thread.ofPlatform().unstarted(() -> { });
        return g;
    }

    /** What g's completer does when g ends: leaves the tree, then the status leaves ALIVE. */
    private static void end(GreenThread<?> g) {
        CancelNode.threadEnded(g);
        STATUS.setRelease(g, GreenThread.SUCCEEDED);
    }

    @Test
    void aCallbackRegisteredConcurrentlyWithCancelRunsExactlyOnce() {
        Lincheck.runConcurrentTest(INVOCATIONS, () -> {
            CancelNode n = CancelNode.standalone();
            AtomicInteger runs = new AtomicInteger();
            race(n::cancel, n::cancel, () -> n.onCancel(runs::incrementAndGet));
            check(runs.get() == 1, "the callback ran " + runs.get() + " times");
            check(n.callbackCount() == 0, "a callback stayed registered on a cancelled token");
        });
    }

    @Test
    void aRemovedCallbackRunsOnlyIfRemoveSaysItHadRun() {
        Lincheck.runConcurrentTest(INVOCATIONS, () -> {
            CancelNode n = CancelNode.standalone();
            AtomicInteger runs = new AtomicInteger();
            CancelToken.Registration r = n.onCancel(runs::incrementAndGet);
            AtomicBoolean removed = new AtomicBoolean();
            race(n::cancel, () -> removed.set(r.remove()));
            check(runs.get() == (removed.get() ? 0 : 1),
                    "remove() answered " + removed.get() + " and the callback ran " + runs.get() + " times");
            check(!r.remove(), "a second remove() answered true");
        });
    }

    @Test
    void aChildRegisteredFromAnotherThreadRacingCancelIsCancelled() {
        Lincheck.runConcurrentTest(INVOCATIONS, () -> {
            CancelNode root = CancelNode.standalone();
            GreenThread<Void> child = thread();
            AtomicBoolean born = new AtomicBoolean();
            race(root::cancel, () -> born.set(CancelNode.registerUnder(root, child)));
            check(CancelNode.isCancelled(child) || born.get(), "the child escaped the cancel");
            check(CancelNode.isCancelled(child), "a child born cancelled has no cancelled token");
        });
    }

    @Test
    void anOwnChildRegisteredRacingCancelIsCancelled() {
        Lincheck.runConcurrentTest(INVOCATIONS, () -> {
            GreenThread<Void> parent = thread();
            CancelNode node = CancelNode.of(parent);
            GreenThread<Void> child = thread();
            race(node::cancel, () -> CancelNode.registerOwn(node, child));
            check(CancelNode.isCancelled(child), "the own child escaped the cancel");
        });
    }

    @Test
    void aGrandchildHandedUpByItsEndingParentRacingCancelIsCancelled() {
        Lincheck.runConcurrentTest(INVOCATIONS, () -> {
            CancelNode root = CancelNode.standalone();
            GreenThread<Void> parent = thread();
            CancelNode.registerUnder(root, parent);
            GreenThread<Void> viaChain = thread();
            GreenThread<Void> viaSlot = thread();
            CancelNode mine = CancelNode.of(parent);
            CancelNode.registerUnder(mine, viaChain);
            CancelNode.registerOwn(mine, viaSlot);
            race(root::cancel, () -> end(parent));
            check(CancelNode.isCancelled(viaChain), "a grandchild on the chain escaped the cancel");
            check(CancelNode.isCancelled(viaSlot), "a grandchild in an own slot escaped the cancel");
        });
    }

    @Test
    void aChildEndingWhileItsParentIsCancelledLeavesNothingBehind() {
        Lincheck.runConcurrentTest(INVOCATIONS, () -> {
            GreenThread<Void> parent = thread();
            CancelNode node = CancelNode.of(parent);
            GreenThread<Void> own = thread();
            GreenThread<Void> shared = thread();
            CancelNode.registerOwn(node, own);
            CancelNode.registerUnder(node, shared);
            race(node::cancel, () -> end(own), () -> end(shared));
            check(node.registeredChildren() == 0, "an ended child is still counted live");
            check(node.referencedThreads() == 0, "the node still references an ended child");
        });
    }

    @Test
    void aLiveGrandchildStaysReachableWhenItsParentEndsAndTheRootIsCancelledLater() {
        Lincheck.runConcurrentTest(INVOCATIONS, () -> {
            CancelNode root = CancelNode.standalone();
            GreenThread<Void> a = thread();
            GreenThread<Void> b = thread();
            CancelNode.registerUnder(root, a);
            CancelNode.registerUnder(root, b);
            GreenThread<Void> ga = thread();
            GreenThread<Void> gb = thread();
            CancelNode.registerOwn(CancelNode.of(a), ga);
            CancelNode.registerOwn(CancelNode.of(b), gb);
            race(() -> end(a), () -> end(b));
            root.cancel();
            check(CancelNode.isCancelled(ga) && CancelNode.isCancelled(gb), "an orphan escaped the root's cancel");
        });
    }
}
