package io.verdant;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * onComplete and toCompletableFuture on an event actor's handle: callbacks
 * registered while the actor lives run when it ends, however it ends (they
 * were dropped: the future of a live actor never completed).
 */
@Timeout(30)
class EventActorOnCompleteTest {
    private Verdant rt;

    @BeforeEach
    void start() {
        rt = Verdant.start(Config.builder().workers(2).name("ev-complete").build());
    }

    @AfterEach
    void stop() {
        rt.close();
    }

    @Test
    void anActorThatStopsCompletesItsFutureAndRunsItsCallbacks() throws Exception {
        GreenHandle<Integer> a = Actors.spawner(rt).spawn(0, (n, m) -> {
            if ("stop".equals(m)) {
                Actors.stop();
            }
            return n + 1;
        });
        CompletableFuture<Integer> cf = a.toCompletableFuture();
        CountDownLatch ran = new CountDownLatch(1);
        AtomicReference<Object> seen = new AtomicReference<>();
        a.onComplete((v, e) -> {
            seen.set(v);
            ran.countDown();
        });
        rt.send(a.pid(), "tick");
        rt.send(a.pid(), "stop");
        assertThat(a.join(Duration.ofSeconds(10))).isEqualTo(2);
        assertThat(ran.await(10, TimeUnit.SECONDS)).as("the callback ran").isTrue();
        assertThat(seen.get()).isEqualTo(2);
        assertThat(cf.get(10, TimeUnit.SECONDS)).isEqualTo(2);
    }

    @Test
    void anActorWhoseHandlerThrowsCompletesItsFutureExceptionally() {
        IllegalStateException boom = new IllegalStateException("boom");
        GreenHandle<Object> a = Actors.spawner(rt).spawn(null, (s, m) -> {
            throw boom;
        });
        CompletableFuture<Object> cf = a.toCompletableFuture();
        rt.send(a.pid(), "go");
        assertThatThrownBy(() -> cf.get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .cause().isSameAs(boom);
    }

    @Test
    void cancellingAnIdleActorCancelsItsFuture() throws Exception {
        GreenHandle<Object> a = Actors.spawner(rt).spawn(null, (s, m) -> s);
        CompletableFuture<Object> cf = a.toCompletableFuture();
        a.cancel();
        assertThatThrownBy(() -> a.join(Duration.ofSeconds(10))).isInstanceOf(GreenFailedException.class)
                .hasCauseInstanceOf(CancelledException.class);
        assertThatThrownBy(() -> cf.get(10, TimeUnit.SECONDS)).isInstanceOf(java.util.concurrent.CancellationException.class);
        assertThat(cf.isCancelled()).isTrue();
    }
}
