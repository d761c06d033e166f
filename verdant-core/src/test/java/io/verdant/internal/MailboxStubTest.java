package io.verdant.internal;

import io.verdant.Config;
import io.verdant.Green;
import io.verdant.Verdant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The cell is its own queue's first dummy (MailboxLink, issue 11): the queue
 * works from it, and once the first message is taken the cell links to nothing
 * (else it would hold every node consumed since) and is never recycled as a
 * node into another mailbox.
 */
@Timeout(60)
class MailboxStubTest {
    @Test
    void theCellStartsAsItsOwnDummyAndLetsGoOfTheChainAfterTheFirstTake() {
        ActorCell cell = new ActorCell(null);
        assertThat(cell.nextAcquire()).isNull();
        assertThat(cell.take(Matcher.ANY, Deadline.NOW, "t")).isNull();
        cell.enqueue("a");
        cell.enqueue("b");
        assertThat(cell.nextAcquire()).isNotNull(); // the first message hangs off the cell
        assertThat(cell.approxDepth(10)).isEqualTo(2);
        assertThat(cell.take(Matcher.ANY, Deadline.NOW, "t")).isEqualTo("a");
        assertThat(cell.nextAcquire()).isNull();
        assertThat(cell.take(Matcher.ANY, Deadline.NOW, "t")).isEqualTo("b");
        assertThat(cell.take(Matcher.ANY, Deadline.NOW, "t")).isNull();
        for (int i = 0; i < 100; i++) {
            cell.enqueue(i);
        }
        assertThat(cell.approxDepth(1_000)).isEqualTo(100);
        for (int i = 0; i < 100; i++) {
            assertThat(cell.take(Matcher.ANY, Deadline.NOW, "t")).isEqualTo(i);
        }
        assertThat(cell.nextAcquire()).isNull();
        assertThat(cell.approxDepth(10)).isZero();
    }

    /** Request and reply between two green threads recycle nodes; the cells themselves never travel. */
    @Test
    void recycledNodesNeverIncludeACell() throws Exception {
        try (Verdant rt = Verdant.start(Config.builder().workers(2).name("mailbox-stub").build())) {
            List<Object> got = rt.run(() -> {
                var self = Green.self();
                var echo = Green.spawn(() -> {
                    for (int i = 0; i < 1_000; i++) {
                        Object[] m = (Object[]) Green.receive();
                        Green.send((io.verdant.Pid) m[0], m[1]);
                    }
                });
                List<Object> replies = new ArrayList<>();
                for (int i = 0; i < 1_000; i++) {
                    Green.send(echo.pid(), new Object[] {self, i});
                    replies.add(Green.receive());
                }
                echo.join();
                ActorCell mine = GreenThread.current().cell;
                assertThat(mine.nextAcquire()).isNull();
                assertThat(mine.approxDepth(10)).isZero();
                return replies;
            });
            assertThat(got).hasSize(1_000);
            for (int i = 0; i < 1_000; i++) {
                assertThat(got.get(i)).isEqualTo(i);
            }
        }
    }
}
