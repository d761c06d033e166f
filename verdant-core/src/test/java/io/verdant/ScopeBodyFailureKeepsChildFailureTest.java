package io.verdant;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Scope's rule: the body's own exception is rethrown as it was, and "failures of
 * the other children, except the CancelledExceptions the scope caused, are
 * attached as suppressed". A child's failure that came first (so it is the
 * scope's {@code first}) must not vanish when the body then fails with an
 * unrelated exception, or when the owner is cancelled. Before the fix
 * Scope.outcome skipped every child whose failure == first, which is right only
 * when first is itself the primary's cause; both tests failed.
 */
@Timeout(20)
class ScopeBodyFailureKeepsChildFailureTest {
    private Verdant rt;

    @BeforeEach
    void start() {
        rt = Verdant.start(Config.builder().workers(2).name("scope-body-failure").build());
    }

    @AfterEach
    void stop() {
        rt.close();
    }

    private static final class Boom extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Boom(String message) {
            super(message);
        }
    }

    @Test
    void aChildFailureThatCameFirstIsSuppressedOnTheBodysException() {
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        rt.run(() -> {
            try {
                Green.scope(scope -> {
                    GreenHandle<Void> child = scope.spawn(() -> {
                        throw new Boom("child");
                    });
                    while (!child.isDone()) {
                        Green.sleep(Duration.ofMillis(1));
                    }
                    throw new IllegalStateException("body");
                });
            } catch (Throwable t) {
                thrown.set(t);
            }
            return null;
        });
        assertThat(thrown.get()).isInstanceOf(IllegalStateException.class).hasMessage("body");
        // Before the fix the child's Boom was nowhere: not the cause, not suppressed, and
        // not logged (the scope marked it observed).
        assertThat(thrown.get().getSuppressed())
                .as("the child's failure, attached to the body's exception")
                .anySatisfy(s -> assertThat(s).hasRootCauseInstanceOf(Boom.class));
    }

    @Test
    void aCancelledScopeDropsOnlyTheFirstChildFailure() {
        // Owner cancelled after a child failed: the scope throws CancelledException with
        // both children's failures attached (the first one's was dropped before the fix,
        // skipped as "== first", though it is the failure that stopped the scope).
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        rt.run(() -> {
            try {
                Green.scope(scope -> {
                    scope.spawn(() -> {
                        try {
                            Green.receive(); // cancelled by the first failure
                        } catch (CancelledException e) {
                            throw new Boom("second");
                        }
                    });
                    GreenHandle<Void> first = scope.spawn(() -> {
                        throw new Boom("first");
                    });
                    while (!first.isDone()) {
                        Green.sleep(Duration.ofMillis(1));
                    }
                    Green.cancelToken().cancel(); // the owner is cancelled (as by an ancestor)
                    return null;
                });
            } catch (Throwable t) {
                thrown.set(t);
            }
            return null;
        });
        assertThat(thrown.get()).isInstanceOf(CancelledException.class);
        assertThat(thrown.get().getSuppressed()).anySatisfy(s -> assertThat(s).hasRootCauseMessage("second"));
        assertThat(thrown.get().getSuppressed())
                .as("the first child failure, attached like the second")
                .anySatisfy(s -> assertThat(s).hasRootCauseMessage("first"));
    }
}
