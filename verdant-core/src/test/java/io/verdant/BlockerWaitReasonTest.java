package io.verdant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static io.verdant.SnapshotTest.info;
import static io.verdant.StallTest.waitUntil;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Wait reasons of senders blocked on a full BLOCK mailbox, of callers of
 * Green.blocking, of green callers of a handle's CompletableFuture and of an
 * executor future's get, and of idle event-actor dispatchers name what they
 * wait for, never a message or a task's contents.
 */
@Timeout(60)
class BlockerWaitReasonTest {
    @Test
    void aSenderBlockedOnAFullBlockMailboxNamesItsOwnerAndBound() throws Exception {
        try (Verdant rt = Verdant.start(Config.builder().workers(2).name("mbx").build())) {
            CountDownLatch release = new CountDownLatch(1);
            GreenHandle<Object> owner = rt.spawner().name("owner").mailbox(Mailbox.blocking(2, Duration.ofSeconds(30)))
                    .spawn(() -> {
                        release.await();
                        for (int i = 0; i < 3; i++) {
                            Green.receive();
                        }
                        return null;
                    });
            GreenHandle<Object> sender = rt.spawner().name("sender").spawn(() -> {
                for (int i = 0; i < 3; i++) {
                    Green.send(owner.pid(), "secret-" + i);
                }
                return null;
            });
            waitUntil(() -> sender.state() == GreenState.WAITING && info(rt, owner.pid()).mailboxDepth() == 2);
            String reason = info(rt, sender.pid()).waitReason();
            assertThat(reason).isEqualTo("Mailbox of " + owner.pid() + " 'owner' bounded(2) full");
            assertThat(reason).doesNotContain("secret").doesNotContain("@");
            release.countDown();
            owner.join();
            sender.join();
        }
    }

    @Test
    void aCallerOfGreenBlockingSaysSo() throws Exception {
        try (Verdant rt = Verdant.start(Config.builder().workers(2).name("blk").build())) {
            CountDownLatch started = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            GreenHandle<Object> caller = rt.spawner().name("caller").spawn(() -> Green.blocking(() -> {
                started.countDown();
                release.await();
                return "secret";
            }));
            started.await(); // the work runs (RUNNING), so the caller's reason is no longer "(queued)"
            waitUntil(() -> caller.state() == GreenState.WAITING);
            String reason = info(rt, caller.pid()).waitReason();
            assertThat(reason).isEqualTo("Green.blocking (running)");
            release.countDown();
            assertThat(caller.join()).isEqualTo("secret");
        }
    }

    @Test
    void aGreenCallerOfAHandlesCompletableFutureNamesTheThreadWaitedFor() throws Exception {
        try (Verdant rt = Verdant.start(Config.builder().workers(2).name("cf").build())) {
            CountDownLatch release = new CountDownLatch(1);
            GreenHandle<String> worker = rt.spawn(() -> {
                release.await();
                return "secret";
            });
            java.util.concurrent.CompletableFuture<String> cf = worker.toCompletableFuture();
            GreenHandle<String> joiner = rt.spawner().name("joiner").spawn(cf::join);
            GreenHandle<String> getter = rt.spawner().name("getter").spawn(() -> cf.get());
            waitUntil(() -> joiner.state() == GreenState.WAITING && getter.state() == GreenState.WAITING);
            assertThat(info(rt, joiner.pid()).waitReason()).isEqualTo("toCompletableFuture of " + worker.pid());
            assertThat(info(rt, getter.pid()).waitReason()).isEqualTo("toCompletableFuture of " + worker.pid());
            // The thread waited for, as for a join (a dump's deadlock check follows it).
            assertThat(info(rt, joiner.pid()).waitingFor()).isEqualTo(worker.pid());
            assertThat(info(rt, getter.pid()).waitingFor()).isEqualTo(worker.pid());
            release.countDown();
            assertThat(joiner.join()).isEqualTo("secret");
            assertThat(getter.join()).isEqualTo("secret");
        }
    }

    /** A user's task whose toString shows data a wait reason must never show. */
    record Secret(String password, CountDownLatch started, CountDownLatch release) implements Callable<String> {
        @Override
        public String call() throws Exception {
            started.countDown();
            release.await();
            return "done";
        }
    }

    @Test
    void aGreenCallerOfAnExecutorFutureNamesTheTaskNeverItsContents() throws Exception {
        try (Verdant rt = Verdant.start(Config.builder().workers(2).name("fut").build());
             ExecutorService executor = rt.executor()) {
            CountDownLatch started = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            try {
                Future<String> task = executor.submit(new Secret("hunter2", started, release));
                // Running (its thread known to the task), so the reason is no longer "(queued)": on a
                // loaded machine the getter could park before the task's thread began.
                assertThat(started.await(20, TimeUnit.SECONDS)).isTrue();
                GreenHandle<String> getter = rt.spawner().name("getter").spawn(() -> task.get());
                waitUntil(() -> getter.state() == GreenState.WAITING && !info(rt, getter.pid()).waitReason().isEmpty());
                GreenThreadInfo waiting = info(rt, getter.pid());
                String reason = waiting.waitReason();
                assertThat(reason).doesNotContain("hunter2").doesNotContain("Secret").doesNotContain("@");
                assertThat(reason).startsWith("executor task (running in <");
                // The thread running the task (one per task) is the one waited for, as for a join.
                assertThat(waiting.waitingFor()).as("waitingFor").isNotNull();
                assertThat(reason).startsWith("executor task (running in " + waiting.waitingFor());
                StringBuilder dump = new StringBuilder();
                rt.dump(dump, DumpOptions.text());
                assertThat(dump.toString()).contains(reason).doesNotContain("hunter2");
                assertThat(task.toString()).doesNotContain("hunter2");
                release.countDown();
                assertThat(getter.join()).isEqualTo("done");
            } finally {
                release.countDown();
            }
        }
    }

    @Test
    void anIdleEventActorDispatcherSaysSo() throws Exception {
        try (Verdant rt = Verdant.start(Config.builder().workers(1).name("disp").build())) {
            GreenHandle<Integer> actor = rt.run(() -> Actors.spawn(0, (n, m) -> n + 1));
            assertThat(rt.send(actor.pid(), "secret")).isTrue();
            waitUntil(() -> rt.snapshot().threads().stream().anyMatch(t -> t.name().equals("verdant-dispatcher")
                    && t.state() == GreenState.WAITING && !t.waitReason().isEmpty()));
            GreenThreadInfo dispatcher = rt.snapshot().threads().stream()
                    .filter(t -> t.name().equals("verdant-dispatcher")).findFirst().orElseThrow();
            assertThat(dispatcher.waitReason()).isEqualTo("event actor dispatcher (idle: waits for an actor to run)");
            actor.cancel();
        }
    }
}
