package io.verdant;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The joiner hears of every child a fork starts, also one forked into a scope
 * that has stopped (as the JDK's StructuredTaskScope notifies its joiner "even
 * if cancelled"): onFork, then onComplete. Before the fix onFork was skipped for
 * such a child while onComplete was still called for it, so a joiner met in
 * onComplete a child it had never been told of (failed 1 of 1 before: 1 onFork
 * for 4 onComplete).
 */
@Timeout(60)
class TaskScopeLateForkJoinerTest {
    private Verdant rt;

    @BeforeEach
    void start() {
        rt = Verdant.start(Config.builder().workers(2).name("task-scope-late-fork-joiner").build());
    }

    @AfterEach
    void stop() {
        rt.close();
    }

    @Test
    void aChildForkedIntoAStoppedScopeIsGivenToOnForkBeforeOnComplete() {
        List<GreenHandle<?>> forked = new ArrayList<>(); // the joiner's calls are one at a time
        List<GreenHandle<?>> completedUnannounced = new ArrayList<>();
        List<GreenHandle<?>> completed = new ArrayList<>();
        List<GreenHandle<String>> handles = rt.run(() -> {
            TaskScope.Joiner<String, String> stopAtFirstFork = new TaskScope.Joiner<>() {
                @Override
                public boolean onFork(GreenHandle<? extends String> child) {
                    forked.add(child);
                    return true; // stops the scope within the first fork
                }

                @Override
                public boolean onComplete(GreenHandle<? extends String> child) {
                    completed.add(child);
                    if (!forked.contains(child)) {
                        completedUnannounced.add(child);
                    }
                    return false;
                }

                @Override
                public String result() {
                    return "stopped";
                }
            };
            List<GreenHandle<String>> all = new ArrayList<>();
            try (TaskScope<String, String> scope = TaskScope.open(stopAtFirstFork)) {
                all.add(scope.fork(() -> "first"));
                assertThat(scope.isStopped()).isTrue();
                for (int i = 0; i < 3; i++) {
                    all.add(scope.fork(() -> "late"));
                }
                assertThat(scope.join()).isEqualTo("stopped");
            }
            return all;
        });
        assertThat(completed).hasSize(4);
        assertThat(completedUnannounced).as("children given to onComplete but never to onFork").isEmpty();
        assertThat(forked).containsExactlyElementsOf(handles);
    }
}
