package io.verdant;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Issue 10 item 9: a selective receive whose filter throws propagates the
 * exception to the caller and leaves the mailbox as it was, order included.
 */
@Timeout(60)
class SelectiveReceiveFilterFailureTest {
    private Verdant rt;

    @BeforeEach
    void start() {
        rt = Verdant.start(Config.builder().workers(1).name("filter-failure").build());
    }

    @AfterEach
    void stop() {
        rt.close();
    }

    private static final class FilterBroke extends RuntimeException {
        private static final long serialVersionUID = 1L;

        FilterBroke(Object on) {
            super("filter broke on " + on);
        }
    }

    /** A filter that throws on {@code poison} and matches nothing else. */
    private static Predicate<Object> throwingOn(Object poison) {
        return m -> {
            if (m.equals(poison)) {
                throw new FilterBroke(m);
            }
            return false;
        };
    }

    private static List<Object> drain() {
        List<Object> out = new ArrayList<>();
        for (Object m; (m = Green.tryReceive().orElse(null)) != null; ) {
            out.add(m);
        }
        return out;
    }

    @Test
    void filterThrowingOnAQueuedMessageLosesNothing() {
        List<Object> left = rt.run(() -> {
            Pid self = Green.self();
            for (String m : List.of("a", "b", "c", "d")) {
                Green.send(self, m);
            }
            assertThatThrownBy(() -> Green.receive(throwingOn("b"), Duration.ofSeconds(5)))
                    .isInstanceOf(FilterBroke.class).hasMessageContaining("b");
            assertThatThrownBy(() -> Green.tryReceive(throwingOn("c")))
                    .isInstanceOf(FilterBroke.class).hasMessageContaining("c");
            assertThat(Green.mailboxSize()).isEqualTo(4);
            return drain();
        });
        assertThat(left).containsExactly("a", "b", "c", "d");
    }

    @Test
    void filterThrowingOnASkippedMessageLosesNothing() {
        List<Object> left = rt.run(() -> {
            Pid self = Green.self();
            for (String m : List.of("a", "b", "c")) {
                Green.send(self, m);
            }
            assertThat(Green.receive(m -> m.equals("c"))).isEqualTo("c"); // a, b now skipped (saved)
            Green.send(self, "d");
            Green.send(self, "e");
            assertThatThrownBy(() -> Green.receive(throwingOn("a"))).isInstanceOf(FilterBroke.class);
            assertThatThrownBy(() -> Green.receive(throwingOn("d"))).isInstanceOf(FilterBroke.class);
            assertThatThrownBy(() -> Green.receive(throwingOn("e"))).isInstanceOf(FilterBroke.class);
            return drain();
        });
        assertThat(left).containsExactly("a", "b", "d", "e");
    }

    @Test
    void filterThrowingWhileWaitingForAMessageLosesNothing() {
        List<Object> left = rt.run(() -> {
            Pid self = Green.self();
            GreenHandle<?> receiver = Green.runtime().handle(self).orElseThrow();
            GreenHandle<Void> sender = Green.spawn(() -> {
                // Sent once the receiver waits (a 20 ms sleep let a slow receiver find it queued).
                while (receiver.state() != GreenState.WAITING) {
                    Green.sleep(Duration.ofMillis(1));
                }
                Green.send(self, "late");
            });
            assertThatThrownBy(() -> Green.receive(throwingOn("late"))).isInstanceOf(FilterBroke.class);
            sender.join();
            return drain();
        });
        assertThat(left).containsExactly("late");
    }

    /**
     * A filter that itself receives from the mailbox it is filtering is refused with
     * IllegalStateException, which propagates like any filter failure: nothing is lost
     * or taken twice (before: the nested receive took the message being tested, the
     * outer receive returned it too, and the next saved message was lost).
     */
    @Test
    void aFilterThatReceivesIsRefusedAndLosesNothing() {
        List<Object> left = rt.run(() -> {
            Pid self = Green.self();
            for (int i = 1; i <= 4; i++) {
                Green.send(self, i);
            }
            assertThat(Green.tryReceive(String.class)).isEmpty(); // all four now skipped, in order
            List<Object> nested = new ArrayList<>();
            Predicate<Object> receiving = m -> {
                Green.tryReceive().ifPresent(nested::add);
                return true;
            };
            assertThatThrownBy(() -> Green.tryReceive(receiving)).isInstanceOf(IllegalStateException.class);
            assertThatThrownBy(() -> Green.receive(m -> Green.mailboxSize() > 0, Duration.ofSeconds(1)))
                    .isInstanceOf(IllegalStateException.class);
            assertThat(nested).as("taken by a receive inside the filter").isEmpty();
            return drain();
        });
        assertThat(left).containsExactly(1, 2, 3, 4);
    }
}
