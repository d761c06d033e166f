package io.verdant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A channel closed with a cause whose {@code toString()} throws (a producer's
 * failure, passed on with {@code close(cause)}) still throws
 * {@link ChannelClosedException} carrying that cause, to waiting and later
 * receivers and senders, and a {@link Select#onClosed} body still runs. Before,
 * building the exception's message called the cause's {@code toString()}: every
 * operation threw what it threw instead, and the select's onClosed body never ran.
 */
@Timeout(60)
class ChannelUnprintableCloseCauseTest {
    private static final class Unprintable extends RuntimeException {
        private static final long serialVersionUID = 1L;

        @Override
        public String toString() {
            throw new IllegalStateException("toString of the producer's failure");
        }

        @Override
        public String getMessage() {
            throw new IllegalStateException("getMessage of the producer's failure");
        }
    }

    @Test
    void operationsOnTheClosedChannelThrowChannelClosedExceptionWithTheCause() {
        try (Verdant rt = Verdant.start(Config.builder().workers(2).name("unprintable-close-cause").build())) {
            rt.run(() -> {
                Unprintable why = new Unprintable();
                Channel<Integer> waitedOn = Channel.rendezvous();
                GreenHandle<Integer> receiver = Green.spawn(() -> {
                    return waitedOn.receive();
                });
                while (receiver.state() != GreenState.WAITING) {
                    Green.sleep(Duration.ofMillis(1));
                }
                waitedOn.close(why);
                assertThatThrownBy(() -> receiver.join(Duration.ofSeconds(20)))
                        .isInstanceOf(GreenFailedException.class)
                        .cause().isInstanceOf(ChannelClosedException.class).hasCauseReference(why);

                Channel<Integer> ch = Channel.bounded(2);
                ch.close(why);
                assertThatThrownBy(ch::receive).isInstanceOf(ChannelClosedException.class).hasCauseReference(why);
                assertThatThrownBy(() -> ch.send(1)).isInstanceOf(ChannelClosedException.class)
                        .hasCauseReference(why);
                String chosen = Select.<String>create()
                        .onReceive(ch, v -> "value")
                        .onClosed(ch, e -> e.getCause() == why ? "closed with the cause" : "closed, other cause")
                        .select();
                assertThat(chosen).isEqualTo("closed with the cause");
            });
        }
    }
}
