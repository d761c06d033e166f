package io.verdant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A {@link TaskScope.Joiner} whose {@code onComplete} throws when the last
 * child ends: the owner waiting in {@code join} still wakes, and the throwable
 * is logged as a throwing completion callback. Before, the throw skipped the
 * owner's wake-up (the count reached zero, but the unpark after it never ran):
 * {@code join} waited for ever.
 */
@Timeout(60)
class TaskScopeThrowingJoinerTest {
    private static final class JoinerBug extends RuntimeException {
        private static final long serialVersionUID = 1L;

        JoinerBug() {
            super("onComplete of a user's joiner");
        }
    }

    @Test
    void aJoinerWhoseOnCompleteThrowsForTheLastChildStillWakesTheOwner() throws Exception {
        CountDownLatch childMayEnd = new CountDownLatch(1);
        try (LogCapture log = new LogCapture("io.verdant");
             Verdant rt = Verdant.start(Config.builder().workers(2).name("throwing-joiner")
                     .shutdownTimeout(Duration.ofSeconds(5)).build())) {
            GreenHandle<String> owner = rt.spawn(() -> {
                try (TaskScope<String, String> scope = TaskScope.open(new TaskScope.Joiner<String, String>() {
                    @Override
                    public boolean onComplete(GreenHandle<? extends String> child) {
                        throw new JoinerBug();
                    }

                    @Override
                    public String result() {
                        return "joined";
                    }
                })) {
                    scope.fork(() -> {
                        Green.blocking(() -> childMayEnd.await(30, TimeUnit.SECONDS));
                        return "child";
                    });
                    return scope.join();
                }
            });
            // The owner parks in join before the child ends. The state the loop read is the one
            // asserted: a racy value, read once (a second read could see it between a wake-up
            // and its next park).
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            GreenState state;
            while ((state = owner.state()) != GreenState.WAITING && System.nanoTime() < until) {
                Thread.sleep(1);
            }
            assertThat(state).isEqualTo(GreenState.WAITING);
            childMayEnd.countDown();
            // The bug is a join that never wakes: a generous limit, which a loaded machine's
            // delays (the child's blocking section ends on another thread) stay far below.
            String joined;
            try {
                joined = owner.join(Duration.ofSeconds(30));
            } catch (TimedOutException e) {
                joined = "still waiting in join after 30 s";
            }
            assertThat(joined).isEqualTo("joined");
            assertThat(log.await(r -> r.getThrown() instanceof JoinerBug)).as("the joiner's throw is logged")
                    .isNotNull();
        } finally {
            childMayEnd.countDown();
        }
    }
}
