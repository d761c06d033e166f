package io.verdant;

import io.verdant.internal.RuntimeCore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The send path's shortcuts (issue 11): a send reuses the queue node its
 * thread's last receive consumed ("Node recycling" in ActorCell), and a pid's
 * runtime is found through a direct-mapped cache in front of the table of open
 * runtimes (RuntimeCore.RECENT). Neither may change what is delivered, in what
 * order, or what is a dead letter.
 */
@Timeout(120)
class SendPathTest {
    /** A message numbered per sender: sender id and sequence number. */
    record Seq(int sender, int n) {
    }

    /** A message a forwarder sends itself. */
    record Back(Object m) {
    }

    /**
     * Forwarders receive and pass every message on (so recycled nodes travel
     * between mailboxes), while senders that never receive (fresh nodes) and
     * platform threads send into the same mailboxes; the sink sees every message
     * once, in order per original sender.
     */
    @Test
    void recycledNodesLoseAndReorderNothing() throws Exception {
        int forwarders = 8;
        int greenSenders = 4;
        int platformSenders = 2;
        int each = 5_000;
        int senders = greenSenders + platformSenders;
        try (Verdant rt = Verdant.start(Config.builder().workers(2).name("send-path").build())) {
            GreenHandle<int[]> sink = rt.spawn(() -> {
                int[] next = new int[senders];
                for (int k = 0; k < senders * each; k++) {
                    Seq s = (Seq) Green.receive();
                    assertThat(s.n()).as("sender %d", s.sender()).isEqualTo(next[s.sender()]);
                    next[s.sender()]++;
                }
                return next;
            });
            // A chain: every sender feeds forwarder 0; forwarder i passes to i + 1; the last to the sink.
            // One path per sender keeps its messages in order end to end.
            List<GreenHandle<Void>> chain = new ArrayList<>();
            Pid downstream = sink.pid();
            for (int i = forwarders - 1; i >= 0; i--) {
                Pid to = downstream;
                GreenHandle<Void> f = rt.spawn(() -> {
                    for (int k = 0; k < senders * each; k++) {
                        Object m = Green.receive();
                        // A self-send in between: the recycled node goes to our own mailbox
                        // first (wrapped, so the selective receive takes exactly it back).
                        Green.send(Green.self(), new Back(m));
                        Green.send(to, Green.receive(Back.class).m());
                    }
                });
                chain.add(f);
                downstream = f.pid();
            }
            Pid head = downstream;
            List<GreenHandle<Void>> greens = new ArrayList<>();
            for (int s = 0; s < greenSenders; s++) {
                int id = s;
                greens.add(rt.spawn(() -> {
                    for (int n = 0; n < each; n++) {
                        assertThat(Green.send(head, new Seq(id, n))).isTrue();
                    }
                }));
            }
            List<Thread> platforms = new ArrayList<>();
            for (int s = 0; s < platformSenders; s++) {
                int id = greenSenders + s;
                Thread t = new Thread(() -> {
                    for (int n = 0; n < each; n++) {
                        Green.send(head, new Seq(id, n));
                    }
                });
                t.start();
                platforms.add(t);
            }
            for (Thread t : platforms) {
                t.join();
            }
            greens.forEach(GreenHandle::join);
            chain.forEach(GreenHandle::join);
            assertThat(sink.join()).containsOnly(each);
        }
    }

    /** Selective receives leave skipped messages in order while nodes are recycled underneath. */
    @Test
    void selectiveReceiveKeepsOrderWithRecycledNodes() {
        try (Verdant rt = Verdant.start(Config.builder().workers(1).name("send-path-selective").build())) {
            List<Object> got = rt.run(() -> {
                Pid self = Green.self();
                List<Object> out = new ArrayList<>();
                for (int i = 0; i < 100; i++) {
                    Green.send(self, "s" + i);
                    Green.send(self, i);
                    // Takes the Integer (skipping the String into the save queue), then sends:
                    // the node just consumed carries the next message.
                    out.add(Green.receive(Integer.class));
                }
                for (int i = 0; i < 100; i++) {
                    out.add(Green.receive());
                }
                assertThat(Green.tryReceive()).isEmpty();
                return out;
            });
            for (int i = 0; i < 100; i++) {
                assertThat(got.get(i)).isEqualTo(i);
                assertThat(got.get(100 + i)).isEqualTo("s" + i);
            }
        }
    }

    /** A pid of a closed runtime is dead whether or not its cache slot was reused. */
    @Test
    void sendToAClosedRuntimeIsFalse() {
        Pid stale;
        try (Verdant rt = Verdant.start(Config.builder().workers(1).name("send-path-closed").build())) {
            stale = rt.spawn(() -> Green.receive(Integer.class)).pid();
            assertThat(RuntimeCore.of(stale)).isSameAs(rt.core());
        }
        assertThat(RuntimeCore.of(stale)).isNull();
        assertThat(Green.send(stale, 1)).isFalse();
    }

    /**
     * A runtime whose cache slot a later runtime took over (and gave up on
     * closing) is still found through the table of open runtimes.
     */
    @Test
    void aRuntimeIsFoundAfterItsCacheSlotWasTakenOver() {
        ConcurrentLinkedQueue<Object> dead = new ConcurrentLinkedQueue<>();
        try (Verdant first = Verdant.start(Config.builder().workers(1).name("send-path-first")
                .deadLetterHandler((p, m) -> dead.add(m)).build())) {
            GreenHandle<Object> receiver = first.spawn(() -> Green.receive());
            long id = first.core().id;
            boolean collided = false;
            // Ids are global and increasing: within 64 more starts one shares the first's slot
            // (more if other tests start runtimes meanwhile).
            for (int i = 0; i < 640 && !collided; i++) {
                try (Verdant other = Verdant.start(Config.builder().workers(1).name("send-path-other").build())) {
                    collided = other.core().id % 64 == id % 64;
                    assertThat(RuntimeCore.of(receiver.pid())).isSameAs(first.core());
                }
            }
            assertThat(collided).isTrue();
            assertThat(RuntimeCore.of(receiver.pid())).isSameAs(first.core());
            assertThat(Green.send(receiver.pid(), "hello")).isTrue();
            assertThat(receiver.join()).isEqualTo("hello");
            assertThat(dead).isEmpty();
        }
    }
}
