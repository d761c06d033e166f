package io.verdant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@code TaskScope.join} by an owner interrupted or cancelled after every child
 * had ended: nothing was cut short, so join returns the policy's result, the
 * interrupt (or cancellation) left set, as the JDK's StructuredTaskScope.join
 * and Green.scope do. Before, it threw CancelledException saying the children
 * "were cancelled", and the results were lost. An interrupt that does cut a
 * running child short still makes join throw.
 */
@Timeout(60)
class TaskScopeJoinInterruptedOwnerTest {
    private static final int RUNS = 20;

    @Test
    void anInterruptAfterTheChildrenEndedKeepsTheResult() {
        try (Verdant rt = Verdant.start(Config.builder().workers(2).name("taskscope-join-interrupted").build())) {
            for (int i = 0; i < RUNS; i++) {
                int n = i;
                Object r = rt.run(() -> {
                    try (TaskScope<Integer, List<Integer>> scope = TaskScope.open()) {
                        GreenHandle<Integer> a = scope.fork(() -> n);
                        GreenHandle<Integer> b = scope.fork(() -> n + 1);
                        a.join();
                        b.join();
                        Thread.currentThread().interrupt();
                        try {
                            return scope.join();
                        } catch (CancelledException e) {
                            return e;
                        } finally {
                            assertThat(Thread.interrupted()).as("the interrupt status stays set").isTrue();
                        }
                    }
                });
                assertThat(r).isEqualTo(List.of(n, n + 1));
            }
        }
    }

    @Test
    void aCancellationAfterTheChildrenEndedKeepsTheResult() {
        try (Verdant rt = Verdant.start(Config.builder().workers(2).name("taskscope-join-cancelled").build())) {
            for (int i = 0; i < RUNS; i++) {
                int n = i;
                GreenHandle<Object> owner = rt.spawn(() -> {
                    try (TaskScope<Integer, Integer> scope = TaskScope.open(TaskScope.Joiner.anySuccessfulOrThrow())) {
                        scope.fork(() -> n).join();
                        Green.cancelToken().cancel();
                        try {
                            return scope.join();
                        } catch (CancelledException e) {
                            return e;
                        }
                    }
                });
                assertThat(owner.join(Duration.ofSeconds(20))).isEqualTo(n);
            }
        }
    }

    @Test
    void anInterruptThatCutsAChildShortStillThrows() {
        try (Verdant rt = Verdant.start(Config.builder().workers(2).name("taskscope-join-cut-short").build())) {
            Object r = rt.run(() -> {
                try (TaskScope<String, List<String>> scope = TaskScope.open()) {
                    GreenHandle<String> sleeper = scope.fork(() -> {
                        Green.sleep(Duration.ofMinutes(5));
                        return "slept";
                    });
                    Thread.currentThread().interrupt();
                    try {
                        return scope.join();
                    } catch (CancelledException e) {
                        assertThat(sleeper.exceptionNow()).isInstanceOf(CancelledException.class);
                        return e;
                    } finally {
                        assertThat(Thread.interrupted()).as("the interrupt status stays set").isTrue();
                    }
                }
            });
            assertThat(r).isInstanceOf(CancelledException.class);
        }
    }
}
