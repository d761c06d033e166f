package io.verdant;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * TaskScope.fork: "If the scope has stopped, the child starts cancelled." Before
 * the fix a child forked into a stopped scope was spawned under the owner, not
 * cancelled, and cancelled only once fork had listed it: on a second carrier its
 * body often ran before that, so its first statement saw no cancellation (a
 * side effect the JDK's StructuredTaskScope, which does not run a subtask forked
 * after it is cancelled, would never make). 1,000 late forks: 1 to 62 ran
 * uncancelled before the fix (failed 3 of 3 runs and their reruns, load 6-7).
 */
@Timeout(60)
class TaskScopeForkAfterStopTest {
    private static final int ROUNDS = 200;
    private static final int LATE_FORKS = 5;

    private Verdant rt;

    @BeforeEach
    void start() {
        rt = Verdant.start(Config.builder().workers(2).name("task-scope-fork-after-stop").build());
    }

    @AfterEach
    void stop() {
        rt.close();
    }

    @Test
    void aChildForkedIntoAStoppedScopeIsCancelledFromItsFirstStatement() {
        AtomicInteger late = new AtomicInteger();
        AtomicInteger sawNoCancellation = new AtomicInteger();
        rt.run(() -> {
            for (int round = 0; round < ROUNDS; round++) {
                TaskScope.Joiner<String, String> stopAtFirstFork = new TaskScope.Joiner<>() {
                    @Override
                    public boolean onFork(GreenHandle<? extends String> child) {
                        return true; // stops the scope within the first fork
                    }

                    @Override
                    public String result() {
                        return "stopped";
                    }
                };
                try (TaskScope<String, String> scope = TaskScope.open(stopAtFirstFork)) {
                    scope.fork(() -> "first");
                    assertThat(scope.isStopped()).isTrue();
                    for (int i = 0; i < LATE_FORKS; i++) {
                        scope.fork(() -> {
                            late.incrementAndGet();
                            if (!Green.cancelled()) {
                                sawNoCancellation.incrementAndGet();
                            }
                            return "late";
                        });
                    }
                    assertThat(scope.join()).isEqualTo("stopped");
                }
            }
            return null;
        });
        assertThat(late.get()).as("every late child ran").isEqualTo(ROUNDS * LATE_FORKS);
        assertThat(sawNoCancellation.get()).as("late children that ran before their cancellation").isZero();
    }
}
