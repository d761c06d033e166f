package io.verdant.internal;

import io.verdant.Config;
import io.verdant.TaskScope;
import io.verdant.Verdant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A long-lived task scope (the JDK's fan-in shape: an accept loop forking a
 * subtask per connection) whose joiner keeps nothing holds no reference to
 * the children that have ended. Before, the scope kept every child it had
 * forked, with its result, until it closed.
 */
@Timeout(60)
class TaskScopeChildrenTest {
    private static final int N = 20_000;

    /** A joiner that keeps nothing: it only waits for every child. */
    private static final class KeepsNothing implements TaskScope.Joiner<Object, Void> {
        @Override
        public Void result() {
            return null;
        }
    }

    @Test
    void aLongLivedTaskScopeDoesNotKeepEndedChildren() throws Exception {
        try (Verdant rt = Verdant.start(Config.builder().workers(2).name("taskscope-children").build())) {
            int kept = rt.run(() -> {
                TaskScopeCore<Object> core = new TaskScopeCore<>(GreenThread.current(), new KeepsNothing(), null, 0);
                try {
                    for (int i = 0; i < N; i++) {
                        core.fork(() -> new byte[64]).join();
                    }
                    GreenThread<Object> running = core.fork(() -> io.verdant.Green.receive());
                    int whileOneRuns = core.childrenKept();
                    core.beginClose(); // stops the scope: cancels the child still running
                    core.awaitChildren(this, false);
                    assertThat(running.isDone()).as("the running child was cancelled by close").isTrue();
                    return whileOneRuns;
                } finally {
                    core.cancelWatchdog();
                }
            });
            assertThat(kept).as("children kept after " + N + " forks, one running").isLessThan(1_000);
        }
    }
}
