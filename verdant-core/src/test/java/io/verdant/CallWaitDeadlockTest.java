package io.verdant;

import io.verdant.internal.obs.WaitReasons;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static io.verdant.DumpTest.text;
import static io.verdant.SnapshotTest.info;
import static io.verdant.StallTest.waitUntil;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Wait reasons and deadlock cycles through a request–reply call and a send into a
 * full BLOCK mailbox. Before, a caller waiting for its reply read
 * "ReplyTo[&lt;caller&gt; &lt;- &lt;callee&gt;]" with no waitingFor, a sender waiting for
 * room named the receiver but had no waitingFor either, so a dump never flagged a
 * cycle through them (A calls B while B calls A) as a deadlock.
 * Each deadlock is released by cancelling its threads, so the runtime closes.
 */
@Timeout(120)
class CallWaitDeadlockTest {
    private static final Duration LONG = Duration.ofSeconds(60);
    private static final String PID = "<[0-9.]+>";

    private static Verdant start(String name) {
        // The threads of a released deadlock end cancelled, or failed by their callee's end: expected.
        return Verdant.start(Config.builder().workers(2).name(name).shutdownTimeout(Duration.ofSeconds(10))
                .failureHandler((h, t) -> { }).build());
    }

    /** A green thread named {@code name} that calls the pid {@code next} completes with, and returns the reply. */
    private static GreenHandle<Object> caller(Verdant rt, String name, CompletableFuture<Pid> next) {
        return rt.spawner().name(name).spawn(() -> Green.call(next.get(20, TimeUnit.SECONDS),
                (ReplyTo<Object> r) -> r, LONG));
    }

    /** Cancels every thread of a deadlock and waits (bounded) until they have all ended. */
    private static void release(List<? extends GreenHandle<?>> threads) throws Exception {
        threads.forEach(GreenHandle::cancel);
        waitUntil(() -> threads.stream().allMatch(GreenHandle::isDone));
    }

    @Test
    void aCallerBlockedInACallNamesItsCalleeAsTheThreadItWaitsFor() throws Exception {
        try (Verdant rt = start("call-reason")) {
            CountDownLatch replyNow = new CountDownLatch(1);
            CompletableFuture<ReplyTo<String>> request = new CompletableFuture<>();
            GreenHandle<Object> callee = rt.spawner().name("callee").spawn(() -> {
                @SuppressWarnings("unchecked")
                ReplyTo<String> r = (ReplyTo<String>) Green.receive();
                request.complete(r);
                replyNow.await();
                r.reply("ok");
                return null;
            });
            GreenHandle<String> caller = rt.spawner().name("caller").spawn(() ->
                    Green.call(callee.pid(), (ReplyTo<String> r) -> r, LONG));
            ReplyTo<String> slot = request.get(20, TimeUnit.SECONDS);
            waitUntil(() -> caller.state() == GreenState.WAITING);
            GreenThreadInfo waiting = info(rt, caller.pid());
            assertThat(waiting.waitReason()).isEqualTo("Green.call " + callee.pid() + " 'callee'");
            assertThat(waiting.waitingFor()).isEqualTo(callee.pid());
            // The caller's park blocker is its ReplyTo: while its call waits, the callee is waited for.
            WaitReasons.Wait w = WaitReasons.of(slot);
            assertThat(w.over()).isFalse();
            assertThat(w.waitingFor().pid()).isEqualTo(callee.pid());
            replyNow.countDown();
            assertThat(caller.join(Duration.ofSeconds(20))).isEqualTo("ok");
            // A call that got its reply is no wait: a caller still parked on it (the reply's
            // unpark not yet done) is about to run, and waits for nobody.
            WaitReasons.Wait after = WaitReasons.of(slot);
            assertThat(after.over()).isTrue();
            assertThat(after.waitingFor()).isNull();
            assertThat(WaitReasons.waitingFor(slot)).isNull();
            callee.join(Duration.ofSeconds(20));
        }
    }

    @Test
    void aTwoThreadCallCycleIsFlaggedInTextAndJson() throws Exception {
        try (Verdant rt = start("call-cycle-2")) {
            CompletableFuture<Pid> toB = new CompletableFuture<>();
            CompletableFuture<Pid> toA = new CompletableFuture<>();
            GreenHandle<Object> a = caller(rt, "a", toB);
            GreenHandle<Object> b = caller(rt, "b", toA);
            toB.complete(b.pid());
            toA.complete(a.pid());
            waitUntil(() -> text(rt, DumpOptions.text()).contains("DEADLOCK"));
            String dump = text(rt, DumpOptions.text());
            assertThat(dump).containsPattern("DEADLOCK: '(a|b)' " + PID + " waits for '(a|b)' " + PID
                    + " waits for '(a|b)' " + PID + "\n");
            assertThat(dump).contains("  'a' " + a.pid() + ": Green.call " + b.pid() + " 'b'\n")
                    .contains("  'b' " + b.pid() + ": Green.call " + a.pid() + " 'a'\n");
            String json = text(rt, DumpOptions.json());
            assertThat(json).containsPattern("\"deadlocks\": \\[\\[\"" + PID + "\", \"" + PID + "\"\\]\\]")
                    .contains("\"waitingFor\": \"" + b.pid() + "\"").contains("\"waitingFor\": \"" + a.pid() + "\"");
            release(List.of(a, b));
        }
    }

    @Test
    void aThreeThreadCallCycleIsFlaggedInTextAndJson() throws Exception {
        try (Verdant rt = start("call-cycle-3")) {
            CompletableFuture<Pid> toB = new CompletableFuture<>();
            CompletableFuture<Pid> toC = new CompletableFuture<>();
            CompletableFuture<Pid> toA = new CompletableFuture<>();
            GreenHandle<Object> a = caller(rt, "a", toB);
            GreenHandle<Object> b = caller(rt, "b", toC);
            GreenHandle<Object> c = caller(rt, "c", toA);
            toB.complete(b.pid());
            toC.complete(c.pid());
            toA.complete(a.pid());
            waitUntil(() -> text(rt, DumpOptions.text()).contains("DEADLOCK"));
            String dump = text(rt, DumpOptions.text());
            assertThat(dump).containsPattern("DEADLOCK: '[abc]' " + PID + " waits for '[abc]' " + PID
                    + " waits for '[abc]' " + PID + " waits for '[abc]' " + PID + "\n");
            assertThat(dump).contains("  'a' " + a.pid() + ": Green.call " + b.pid() + " 'b'\n")
                    .contains("  'b' " + b.pid() + ": Green.call " + c.pid() + " 'c'\n")
                    .contains("  'c' " + c.pid() + ": Green.call " + a.pid() + " 'a'\n");
            String json = text(rt, DumpOptions.json());
            assertThat(json).containsPattern("\"deadlocks\": \\[\\[\"" + PID + "\", \"" + PID + "\", \"" + PID
                    + "\"\\]\\]");
            release(List.of(a, b, c));
        }
    }

    /**
     * rt.call's temporary thread waits for the callee as Green.call's caller does: A
     * calls B through rt.call (A joins the temporary thread, which waits for B's reply)
     * while B calls A with Green.call: a cycle of three.
     */
    @Test
    void aCycleThroughRtCallsTemporaryThreadIsFlagged() throws Exception {
        try (Verdant rt = start("rt-call-cycle")) {
            CompletableFuture<Pid> toB = new CompletableFuture<>();
            CompletableFuture<Pid> toA = new CompletableFuture<>();
            GreenHandle<Object> a = rt.spawner().name("a").spawn(() ->
                    rt.call(toB.get(20, TimeUnit.SECONDS), replyTo -> replyTo, Object.class, LONG));
            GreenHandle<Object> b = caller(rt, "b", toA);
            toB.complete(b.pid());
            toA.complete(a.pid());
            waitUntil(() -> text(rt, DumpOptions.text()).contains("DEADLOCK"));
            String dump = text(rt, DumpOptions.text());
            assertThat(dump).containsPattern("DEADLOCK: '[^']+' " + PID + " waits for '[^']+' " + PID
                    + " waits for '[^']+' " + PID + " waits for '[^']+' " + PID + "\n");
            assertThat(dump).contains("  'a' " + a.pid() + ": join <")
                    .contains("  'call " + b.pid() + "' <").contains(": Verdant.call " + b.pid() + " 'b'\n")
                    .contains("  'b' " + b.pid() + ": Green.call " + a.pid() + " 'a'\n");
            assertThat(text(rt, DumpOptions.json())).containsPattern("\"deadlocks\": \\[\\[\"" + PID + "\", \""
                    + PID + "\", \"" + PID + "\"\\]\\]");
            release(List.of(a, b));
        }
    }

    /**
     * A call that got its reply leaves no edge: A called B and got its reply, B then
     * calls A while A waits on something else. B waits for A, A for no green thread:
     * no cycle.
     */
    @Test
    void aCallThatGotItsReplyIsNoEdgeOfACycle() throws Exception {
        try (Verdant rt = start("call-answered")) {
            CountDownLatch release = new CountDownLatch(1);
            CompletableFuture<Pid> aPid = new CompletableFuture<>();
            GreenHandle<Object> b = rt.spawner().name("b").spawn(() -> {
                @SuppressWarnings("unchecked")
                ReplyTo<String> r = (ReplyTo<String>) Green.receive();
                r.reply("ok");
                return Green.call(aPid.get(20, TimeUnit.SECONDS), (ReplyTo<Object> back) -> back, LONG);
            });
            GreenHandle<String> a = rt.spawner().name("a").spawn(() -> {
                String reply = Green.call(b.pid(), (ReplyTo<String> r) -> r, LONG);
                release.await(); // a JDK latch: no green thread waited for
                return reply;
            });
            aPid.complete(a.pid());
            waitUntil(() -> a.state() == GreenState.WAITING && b.state() == GreenState.WAITING
                    && info(rt, b.pid()).waitReason().startsWith("Green.call"));
            assertThat(info(rt, b.pid()).waitingFor()).isEqualTo(a.pid());
            assertThat(info(rt, a.pid()).waitingFor()).isNull();
            assertThat(text(rt, DumpOptions.text())).doesNotContain("DEADLOCK");
            assertThat(text(rt, DumpOptions.json())).contains("\"deadlocks\": []");
            release.countDown();
            assertThat(a.join(Duration.ofSeconds(20))).isEqualTo("ok");
            release(List.of(b));
        }
    }

    /** A holds a mutex and calls B; B waits for the mutex: a cycle of a call and a mutex wait. */
    @Test
    void aCycleOfACallAndAMutexWaitIsFlagged() throws Exception {
        try (Verdant rt = start("call-mutex-cycle")) {
            Mutex<String> m = new Mutex<>("m");
            CountDownLatch locked = new CountDownLatch(1);
            CompletableFuture<Pid> toB = new CompletableFuture<>();
            GreenHandle<Object> a = rt.spawner().name("a").spawn(() -> {
                try (Mutex.Guard<String> g = m.lock(LONG)) {
                    locked.countDown();
                    return g.get() + Green.call(toB.get(20, TimeUnit.SECONDS), (ReplyTo<Object> r) -> r, LONG);
                }
            });
            GreenHandle<String> b = rt.spawner().name("b").spawn(() -> {
                locked.await();
                try (Mutex.Guard<String> g = m.lock(LONG)) {
                    return g.get();
                }
            });
            toB.complete(b.pid());
            waitUntil(() -> text(rt, DumpOptions.text()).contains("DEADLOCK"));
            String dump = text(rt, DumpOptions.text());
            assertThat(dump).containsPattern("DEADLOCK: '(a|b)' " + PID + " waits for '(a|b)' " + PID
                    + " waits for '(a|b)' " + PID + "\n");
            assertThat(dump).contains("  'a' " + a.pid() + ": Green.call " + b.pid() + " 'b'\n")
                    .contains("  'b' " + b.pid() + ": Mutex.lock #").contains("held by " + a.pid() + " 'a'");
            assertThat(text(rt, DumpOptions.json()))
                    .containsPattern("\"deadlocks\": \\[\\[\"" + PID + "\", \"" + PID + "\"\\]\\]");
            a.cancel(); // its call ends, its guard is closed: b gets the mutex
            assertThat(b.join(Duration.ofSeconds(20))).isEqualTo("m");
            release(List.of(a));
        }
    }

    /**
     * Two threads each send twice into the other's full BLOCK mailbox of one: each
     * waits for room only the other can make, and neither receives.
     */
    @Test
    void sendersBlockedOnEachOthersFullMailboxAreFlagged() throws Exception {
        try (Verdant rt = start("mailbox-cycle")) {
            CompletableFuture<Pid> toB = new CompletableFuture<>();
            CompletableFuture<Pid> toA = new CompletableFuture<>();
            GreenHandle<Object> a = sender(rt, "a", toB);
            GreenHandle<Object> b = sender(rt, "b", toA);
            toB.complete(b.pid());
            toA.complete(a.pid());
            waitUntil(() -> text(rt, DumpOptions.text()).contains("DEADLOCK"));
            String dump = text(rt, DumpOptions.text());
            assertThat(dump).containsPattern("DEADLOCK: '(a|b)' " + PID + " waits for '(a|b)' " + PID
                    + " waits for '(a|b)' " + PID + "\n");
            assertThat(dump).contains("  'a' " + a.pid() + ": Mailbox of " + b.pid() + " 'b' bounded(1) full\n")
                    .contains("  'b' " + b.pid() + ": Mailbox of " + a.pid() + " 'a' bounded(1) full\n")
                    .doesNotContain("secret");
            assertThat(info(rt, a.pid()).waitingFor()).isEqualTo(b.pid());
            assertThat(text(rt, DumpOptions.json()))
                    .containsPattern("\"deadlocks\": \\[\\[\"" + PID + "\", \"" + PID + "\"\\]\\]");
            release(List.of(a, b));
        }
    }

    /** A green thread with a BLOCK mailbox of one that sends two messages to the pid {@code to} completes with. */
    private static GreenHandle<Object> sender(Verdant rt, String name, CompletableFuture<Pid> to) {
        return rt.spawner().name(name).mailbox(Mailbox.blocking(1, LONG)).spawn(() -> {
            Pid other = to.get(20, TimeUnit.SECONDS);
            Green.send(other, "secret-1");
            Green.send(other, "secret-2");
            return null;
        });
    }

    /**
     * A sender blocked on a full mailbox whose receiver waits for no green thread (a
     * JDK latch) names the receiver as the thread it waits for, and is no deadlock;
     * once the receiver takes a message the sender is no longer blocked.
     */
    @Test
    void aSenderOfAFullMailboxWaitsForItsReceiverButARunnableReceiverIsNoDeadlock() throws Exception {
        try (Verdant rt = start("mailbox-wait")) {
            CountDownLatch take = new CountDownLatch(1);
            GreenHandle<Object> owner = rt.spawner().name("owner").mailbox(Mailbox.blocking(1, LONG)).spawn(() -> {
                take.await();
                Green.receive();
                Green.receive();
                return null;
            });
            GreenHandle<Object> sender = rt.spawner().name("sender").spawn(() -> {
                Green.send(owner.pid(), "secret-1");
                Green.send(owner.pid(), "secret-2");
                return null;
            });
            waitUntil(() -> sender.state() == GreenState.WAITING && info(rt, owner.pid()).mailboxDepth() == 1
                    && info(rt, sender.pid()).waitReason().startsWith("Mailbox"));
            GreenThreadInfo waiting = info(rt, sender.pid());
            assertThat(waiting.waitReason()).isEqualTo("Mailbox of " + owner.pid() + " 'owner' bounded(1) full");
            assertThat(waiting.waitingFor()).isEqualTo(owner.pid());
            assertThat(text(rt, DumpOptions.text())).doesNotContain("DEADLOCK");
            take.countDown();
            sender.join(Duration.ofSeconds(20));
            owner.join(Duration.ofSeconds(20));
        }
    }
}
