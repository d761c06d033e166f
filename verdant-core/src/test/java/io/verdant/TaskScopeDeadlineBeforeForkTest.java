package io.verdant;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * TaskScope's rule: "A timeout given to open is a deadline for the whole scope,
 * counted from open: when it passes, the scope stops (its children are cancelled)
 * and join throws TimedOutException once they have ended." Before the fix the
 * watchdog set timedOut only if children were pending when it fired
 * (TaskScopeCore.stop): a deadline that passed while none was pending stopped the
 * scope silently, a child forked afterwards started cancelled, and join reported
 * the cancellation the deadline caused as that child's failure
 * (GreenFailedException caused by a CancelledException) instead of
 * TimedOutException. Failed 5 of 5 runs without the fix.
 */
@Timeout(20)
class TaskScopeDeadlineBeforeForkTest {
    private Verdant rt;

    @BeforeEach
    void start() {
        rt = Verdant.start(Config.builder().workers(2).name("task-scope-deadline").build());
    }

    @AfterEach
    void stop() {
        rt.close();
    }

    @Test
    void aChildForkedAfterTheDeadlineMakesJoinThrowTimedOut() {
        Throwable thrown = rt.run(() -> {
            try (TaskScope<String, List<String>> scope = TaskScope.open(TaskScope.Joiner.allSuccessfulOrThrow(),
                    Duration.ofMillis(20))) {
                Green.sleep(Duration.ofMillis(200)); // the owner is busy: the deadline passes
                assertThat(scope.isStopped()).as("the deadline stopped the scope").isTrue();
                scope.fork(() -> {
                    Green.sleep(Duration.ofMinutes(5)); // starts cancelled
                    return "never";
                });
                scope.join();
                return null;
            } catch (RuntimeException e) {
                return e;
            }
        });
        assertThat(thrown).isInstanceOf(TimedOutException.class);
    }
}
