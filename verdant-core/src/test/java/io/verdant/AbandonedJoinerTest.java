package io.verdant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A green thread joining a thread of another runtime, or calling it, abandoned
 * by its own runtime's close before it could run again (its only carrier held
 * by a thread with no safepoint, no spare): the joined thread no longer counts
 * it as a joiner, and the callee's reply is refused. Before, the dead joiner
 * stayed on the joined thread's waiters, so when that thread later failed, its
 * failure counted as observed by that joiner and was never logged (nobody saw
 * it); and a reply to the dead caller returned true (delivered) and was lost.
 */
@Timeout(60)
class AbandonedJoinerTest {

    @Test
    void aFailureJoinedOnlyByAnAbandonedThreadIsStillReportedAsUnobserved() throws Exception {
        CountDownLatch fail = new CountDownLatch(1);
        Verdant a = Verdant.start(Config.builder().workers(1).maxSpareCarriers(0).name("abandoned-joiner")
                .shutdownTimeout(Duration.ofMillis(100)).failureHandler((h, t) -> { }).build());
        Verdant b = Verdant.start(Config.builder().workers(1).name("joined").build());
        try (LogCapture log = new LogCapture("io.verdant.failures")) {
            GreenHandle<Object> joined = b.spawner().name("fails-later").spawn(() -> {
                fail.await();
                throw new IllegalStateException("boom after the joiner's runtime closed");
            });
            GreenHandle<Object> joiner = a.spawn(() -> joined.join());
            awaitState(joiner, GreenState.WAITING);
            AbandonedWaiters.closeHoldingItsCarrier(a);
            assertThat(joiner.isDone()).isTrue();
            fail.countDown();
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (!joined.isDone() && System.nanoTime() < until) {
                Thread.sleep(1);
            }
            assertThat(joined.state()).isEqualTo(GreenState.FAILED);
            b.close(); // writes the records its threads logged
            assertThat(log.records()).as("the unobserved failure was logged")
                    .anySatisfy(r -> assertThat(r.getMessage()).contains("fails-later").contains("nobody joined"));
        } finally {
            a.close();
            b.close();
        }
    }

    private static void awaitState(GreenHandle<?> h, GreenState s) throws InterruptedException {
        // The state the loop saw is the one asserted: read again, it may have moved on.
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        GreenState seen;
        while ((seen = h.state()) != s && System.nanoTime() < until) {
            Thread.sleep(1);
        }
        assertThat(seen).isEqualTo(s);
    }

    @Test
    void aReplyToACallerItsRuntimeAbandonedIsRefusedAndDeadLettered() throws Exception {
        Verdant a = Verdant.start(Config.builder().workers(1).maxSpareCarriers(0).name("abandoned-caller")
                .shutdownTimeout(Duration.ofMillis(100)).failureHandler((h, t) -> { }).build());
        java.util.List<Object> deadLetters = new java.util.concurrent.CopyOnWriteArrayList<>();
        Verdant b = Verdant.start(Config.builder().workers(1).name("callee")
                .deadLetterHandler((p, m) -> deadLetters.add(m)).build());
        try {
            CountDownLatch got = new CountDownLatch(1);
            java.util.concurrent.atomic.AtomicReference<ReplyTo<String>> slot = new java.util.concurrent.atomic.AtomicReference<>();
            GreenHandle<Object> callee = b.spawn(() -> {
                @SuppressWarnings("unchecked")
                ReplyTo<String> r = (ReplyTo<String>) Green.receive();
                slot.set(r);
                got.countDown();
                return Green.receive();
            });
            GreenHandle<String> caller = a.spawn(() -> Green.call(callee.pid(), (ReplyTo<String> r) -> r, Duration.ofSeconds(30)));
            assertThat(got.await(20, TimeUnit.SECONDS)).isTrue();
            awaitState(caller, GreenState.WAITING);
            AbandonedWaiters.closeHoldingItsCarrier(a);
            assertThat(caller.isDone()).isTrue();
            assertThat(slot.get().isWaiting()).as("nobody waits for the reply").isFalse();
            assertThat(slot.get().reply("answer")).as("the reply reached nobody").isFalse();
            assertThat(deadLetters).containsExactly("answer");
        } finally {
            a.close();
            b.close();
        }
    }
}
