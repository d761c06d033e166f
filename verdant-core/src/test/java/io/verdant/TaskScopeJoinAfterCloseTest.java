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
 * join after close is refused with IllegalStateException, as the JDK's
 * StructuredTaskScope.join after close. Before the fix it was accepted and
 * returned the policy's result over the children close had cancelled: the
 * fail-fast policy returned an empty list, as if every child had succeeded
 * (failed 1 of 1 run and its rerun before).
 */
@Timeout(60)
class TaskScopeJoinAfterCloseTest {
    private Verdant rt;

    @BeforeEach
    void start() {
        rt = Verdant.start(Config.builder().workers(2).name("task-scope-join-after-close").build());
    }

    @AfterEach
    void stop() {
        rt.close();
    }

    @Test
    void joinAfterCloseIsRefusedNotAResultWithoutTheCancelledChildren() {
        GreenHandle<String> child = rt.run(() -> {
            TaskScope<String, List<String>> scope = TaskScope.open();
            GreenHandle<String> c = scope.fork(() -> {
                Green.sleep(Duration.ofMinutes(5)); // ended by close's cancel
                return "never";
            });
            scope.close();
            assertThatThrownBy(scope::join).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("closed");
            return c;
        });
        assertThat(child.isDone()).isTrue();
        assertThat(child.exceptionNow()).isInstanceOf(CancelledException.class);
    }
}
