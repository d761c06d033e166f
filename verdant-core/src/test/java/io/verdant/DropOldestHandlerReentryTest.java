package io.verdant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A DROP_OLDEST mailbox drops its excess on the owner's next receive, and the
 * dead-letter handler then runs on the owner, inside that receive: a handler
 * that looks at the owner's own mailbox (Green.mailboxSize) must not make it
 * drop more than the excess, nor fail the receive.
 */
@Timeout(30)
class DropOldestHandlerReentryTest {

    @Test
    void aHandlerThatReadsTheOwnersMailboxSizeDropsOnlyTheExcess() throws Exception {
        ConcurrentLinkedQueue<Object> dead = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<Integer> sizesSeen = new ConcurrentLinkedQueue<>();
        Config config = Config.builder().workers(2).name("drop-oldest-reentry")
                .deadLetterHandler((pid, msg) -> {
                    dead.add(msg);
                    if (Green.isGreen()) {
                        sizesSeen.add(Green.mailboxSize()); // the owner's own mailbox: it is the one dropping
                    }
                }).build();
        try (Verdant rt = Verdant.start(config)) {
            CountDownLatch filled = new CountDownLatch(1);
            GreenHandle<List<Object>> owner = rt.spawner().mailbox(Mailbox.bounded(2, Mailbox.Overflow.DROP_OLDEST))
                    .spawn(() -> {
                        filled.await();
                        List<Object> got = new ArrayList<>();
                        for (Optional<Object> m = Green.tryReceive(); m.isPresent(); m = Green.tryReceive()) {
                            got.add(m.get());
                        }
                        return got;
                    });
            for (int i = 1; i <= 5; i++) {
                assertThat(rt.send(owner.pid(), i)).isTrue();
            }
            filled.countDown();
            assertThat(owner.join()).containsExactly(4, 5);
            assertThat(dead).containsExactly(1, 2, 3);
            assertThat(rt.deadLetterCount()).isEqualTo(3);
            assertThat(sizesSeen).hasSize(3);
        }
    }
}
