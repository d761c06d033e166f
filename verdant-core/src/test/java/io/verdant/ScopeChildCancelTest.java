package io.verdant;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A child of a scope cancelled through its own handle is not a failure of the
 * scope (as a cancelled subtask is not in the JDK's StructuredTaskScope): the
 * other children go on and the scope returns the body's result.
 */
@Timeout(60)
class ScopeChildCancelTest {
    private Verdant rt;

    @BeforeEach
    void start() {
        rt = Verdant.start(Config.builder().workers(2).name("scope-cancel").build());
    }

    @AfterEach
    void stop() {
        rt.close();
    }

    /** Green only: cancels {@code h}, waits for it to end, and checks it ended cancelled. */
    private static void cancelAndAwait(GreenHandle<?> h) {
        h.cancel();
        assertThatThrownBy(h::join).isInstanceOf(GreenFailedException.class)
                .hasCauseInstanceOf(CancelledException.class);
    }

    @Test
    void aChildCancelledThroughItsHandleDoesNotFailTheScope() {
        int r = rt.run(() -> Green.scope(scope -> {
            Channel<Integer> go = Channel.unbounded();
            GreenHandle<Void> sleeper = scope.spawn(() -> Green.sleep(Duration.ofMinutes(5)));
            GreenHandle<Integer> sibling = scope.spawn(() -> go.receive() + 41);
            cancelAndAwait(sleeper);
            assertThat(scope.isCancelled()).isFalse();
            go.send(1); // the sibling still runs: it was not cancelled with the other child
            return sibling.join();
        }));
        assertThat(r).isEqualTo(42);
    }

    @Test
    void aChildCancelledThroughItsHandleDoesNotStopAFailFastTaskScope() {
        List<Integer> results = rt.run(() -> {
            try (TaskScope<Integer, List<Integer>> scope = TaskScope.open()) {
                Channel<Integer> go = Channel.unbounded();
                GreenHandle<Integer> sleeper = scope.fork(() -> {
                    Green.sleep(Duration.ofMinutes(5));
                    return 0;
                });
                scope.fork(() -> go.receive() + 1);
                cancelAndAwait(sleeper);
                assertThat(scope.isStopped()).isFalse();
                go.send(1);
                return scope.join();
            }
        });
        assertThat(results).containsExactly(2); // the cancelled child has no result
    }

    @Test
    void anySuccessfulSkipsACancelledChildAndReportsARealFailure() {
        IllegalStateException boom = new IllegalStateException("boom");
        assertThatThrownBy(() -> rt.run(() -> {
            try (TaskScope<Integer, Integer> scope = TaskScope.open(TaskScope.Joiner.anySuccessfulOrThrow())) {
                Channel<Integer> go = Channel.unbounded();
                GreenHandle<Integer> sleeper = scope.fork(() -> {
                    Green.sleep(Duration.ofMinutes(5));
                    return 0;
                });
                scope.fork(() -> {
                    go.receive();
                    throw boom;
                });
                cancelAndAwait(sleeper);
                go.send(1);
                return scope.join();
            }
        })).isInstanceOf(GreenFailedException.class).cause().isInstanceOf(GreenFailedException.class)
                .cause().isSameAs(boom);
    }

    @Test
    void aChildThatThrowsCancelledExceptionWithoutBeingCancelledStillFails() {
        CancelledException own = new CancelledException("thrown, not cancelled");
        assertThatThrownBy(() -> rt.run(() -> Green.scope(scope -> {
            scope.spawn(() -> {
                throw own;
            });
            return 1;
        }))).isInstanceOf(GreenFailedException.class).cause().isInstanceOf(GreenFailedException.class)
                .cause().isSameAs(own);
    }
}
