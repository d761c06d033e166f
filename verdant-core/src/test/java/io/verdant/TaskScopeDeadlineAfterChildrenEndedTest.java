package io.verdant;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A TaskScope deadline that passes after every child has ended (the owner joins
 * late) does not make join throw: the policy's result is returned, as the
 * javadoc now says (it read as if join threw TimedOutException whenever the
 * deadline passed; the JDK's StructuredTaskScope.join does throw then).
 */
@Timeout(60)
class TaskScopeDeadlineAfterChildrenEndedTest {
    private Verdant rt;

    @BeforeEach
    void start() {
        rt = Verdant.start(Config.builder().workers(2).name("task-scope-late-join").build());
    }

    @AfterEach
    void stop() {
        rt.close();
    }

    @Test
    void aDeadlineThatPassesAfterEveryChildEndedLeavesJoinThePolicysResult() {
        // A loaded machine may run the quick child after a short deadline: then that attempt
        // does not apply (the deadline passed first), and a longer one is tried.
        for (long millis : new long[] {200, 2_000, 10_000}) {
            List<String> joined = rt.run(() -> {
                try (TaskScope<String, List<String>> scope = TaskScope.open(TaskScope.Joiner.allSuccessfulOrThrow(),
                        Duration.ofMillis(millis))) {
                    GreenHandle<String> child = scope.fork(() -> "quick");
                    child.join();
                    if (scope.isStopped()) {
                        return null; // the deadline came first: not this case
                    }
                    long until = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                    while (!scope.isStopped() && System.nanoTime() < until) {
                        Green.sleep(Duration.ofMillis(5)); // the owner is busy until the deadline passed
                    }
                    assertThat(scope.isStopped()).as("the deadline stopped the scope").isTrue();
                    return scope.join();
                }
            });
            if (joined != null) {
                assertThat(joined).containsExactly("quick");
                return;
            }
        }
        throw new AssertionError("the quick child never ended before a 10 s deadline");
    }
}
