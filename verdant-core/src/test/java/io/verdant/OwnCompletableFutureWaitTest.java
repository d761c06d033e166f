package io.verdant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A green thread waiting in get, timed get or join of its own handle's
 * toCompletableFuture(): it would wait for its own end. It is refused at once
 * with IllegalStateException, as asFuture().get() and join() of one's own
 * handle are. Before, join waited for ever (it ignores cancellation, so close
 * could only abandon the thread), get until the thread was cancelled, and the
 * timed get its whole timeout.
 */
@Timeout(60)
class OwnCompletableFutureWaitTest {

    private static Throwable waitOnOwnFuture(Consumer<CompletableFuture<Object>> wait) throws Exception {
        Verdant rt = Verdant.start(Config.builder().workers(1).name("own-completable-future")
                .shutdownTimeout(Duration.ofMillis(200)).build());
        try {
            AtomicReference<GreenHandle<Object>> self = new AtomicReference<>();
            Channel<Integer> go = Channel.rendezvous();
            GreenHandle<Object> h = rt.spawn(() -> {
                go.receive();
                wait.accept(self.get().toCompletableFuture());
                return "waited";
            });
            self.set(h);
            go.send(1);
            Throwable[] failure = new Throwable[1];
            // The bug was a wait for ever (join), until cancelled (get) or for a minute (timed get):
            // 20 s tells those apart from "at once" however late a loaded machine runs the thread.
            assertThatThrownBy(() -> h.join(Duration.ofSeconds(20))).satisfies(t -> failure[0] = t)
                    .as("the wait ended at once").isInstanceOf(GreenFailedException.class);
            return failure[0].getCause();
        } finally {
            rt.close();
        }
    }

    @Test
    void joinOfItsOwnFutureIsRefusedAtOnce() throws Exception {
        assertThat(waitOnOwnFuture(CompletableFuture::join)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void getOfItsOwnFutureIsRefusedAtOnce() throws Exception {
        assertThat(waitOnOwnFuture(f -> {
            try {
                f.get();
            } catch (InterruptedException | java.util.concurrent.ExecutionException e) {
                throw new AssertionError(e);
            }
        })).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void timedGetOfItsOwnFutureIsRefusedAtOnce() throws Exception {
        assertThat(waitOnOwnFuture(f -> {
            try {
                f.get(1, TimeUnit.MINUTES);
            } catch (InterruptedException | java.util.concurrent.ExecutionException
                    | java.util.concurrent.TimeoutException e) {
                throw new AssertionError(e);
            }
        })).isInstanceOf(IllegalStateException.class);
    }
}
