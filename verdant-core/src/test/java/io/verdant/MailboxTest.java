package io.verdant;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@Timeout(60)
class MailboxTest {
    private final ConcurrentLinkedQueue<Object> deadLetters = new ConcurrentLinkedQueue<>();
    private Verdant rt;

    @BeforeEach
    void start() {
        rt = Verdant.start(Config.builder().workers(2).name("mailbox")
                .deadLetterHandler((pid, msg) -> deadLetters.add(msg)).build());
    }

    @AfterEach
    void stop() {
        rt.close();
    }

    sealed interface Msg permits A, B {
    }

    record A(int n) implements Msg {
    }

    record B(int n) implements Msg {
    }

    @Test
    void selectiveReceiveTakesTheFirstOfATypeAndKeepsTheOthersInOrder() {
        List<Object> got = rt.run(() -> {
            Pid self = Green.self();
            Green.send(self, new A(1));
            Green.send(self, "x");
            Green.send(self, new B(2));
            Green.send(self, new A(3));
            Green.send(self, "y");
            List<Object> out = new ArrayList<>();
            out.add(Green.receive(B.class));
            out.add(Green.receive(m -> m instanceof A a && a.n() == 3));
            out.add(Green.receive(String.class));
            assertThat(Green.mailboxSize()).isEqualTo(2);
            out.add(Green.receive());
            out.add(Green.receive());
            assertThat(Green.tryReceive()).isEmpty();
            return out;
        });
        assertThat(got).containsExactly(new B(2), new A(3), "x", new A(1), "y");
    }

    @Test
    void sealedMessagesWorkWithSwitchPatterns() {
        int sum = rt.run(() -> {
            GreenHandle<Integer> adder = Green.spawn(() -> {
                int s = 0;
                for (int i = 0; i < 4; i++) {
                    s += switch (Green.receive(Msg.class)) {
                        case A(int n) -> n;
                        case B(int n) -> -n;
                    };
                }
                return s;
            });
            for (Msg m : List.<Msg>of(new A(10), new B(1), new A(5), new B(2))) {
                assertThat(Green.send(adder.pid(), m)).isTrue();
            }
            return adder.join();
        });
        assertThat(sum).isEqualTo(12);
    }

    @Test
    void selectiveReceiveWaitsForAMatchThatArrivesLater() {
        Object got = rt.run(() -> {
            Pid self = Green.self();
            GreenHandle<Void> sender = Green.spawn(() -> {
                Green.send(self, "first");
                Green.send(self, 2);
                Green.send(self, "third");
            });
            Integer n = Green.receive(Integer.class, Duration.ofSeconds(30));
            sender.join();
            return List.of(n, Green.receive(), Green.receive());
        });
        assertThat(got).isEqualTo(List.of(2, "first", "third"));
    }

    @Test
    void timedReceiveThrowsAndTakesNothing() {
        rt.run(() -> {
            Green.send(Green.self(), "other");
            assertThatThrownBy(() -> Green.receive(Integer.class, Duration.ofMillis(20)))
                    .isInstanceOf(TimedOutException.class);
            assertThat(Green.tryReceive(Integer.class)).isEmpty();
            assertThat(Green.receive(Duration.ZERO)).isEqualTo("other");
            assertThatThrownBy(() -> Green.receive(Duration.ZERO)).isInstanceOf(TimedOutException.class);
            return null;
        });
    }

    @Test
    void receiveIsCancelledByInterrupt() {
        rt.run(() -> {
            Thread me = Thread.currentThread();
            GreenHandle<Void> h = Green.spawn(() -> {
                Green.sleep(Duration.ofMillis(10));
                me.interrupt();
            });
            assertThatThrownBy(Green::receive).isInstanceOf(CancelledException.class);
            assertThat(Thread.interrupted()).isTrue();
            h.join();
            return null;
        });
    }

    @Test
    void greenOnlyOperationsFailOutside() {
        assertThatThrownBy(Green::receive).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("Green.receive");
        assertThatThrownBy(() -> Green.send(null, "x")).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("pid");
    }

    @Test
    void sendToAStalePidReturnsFalseAndIsADeadLetter() {
        GreenHandle<Void> h = rt.spawn(() -> { });
        h.join();
        assertThat(Green.send(h.pid(), "lost")).isFalse();
        assertThat(deadLetters).containsExactly("lost");
        // A new thread may reuse the slot; the old pid still names nobody.
        GreenHandle<Object> next = rt.spawn(() -> Green.receive());
        assertThat(Green.send(h.pid(), "lost2")).isFalse();
        assertThat(Green.send(next.pid(), "ok")).isTrue();
        assertThat(next.join()).isEqualTo("ok");
    }

    @Test
    void platformThreadsCanSend() throws Exception {
        CountDownLatch ready = new CountDownLatch(1);
        GreenHandle<Object> h = rt.spawn(() -> {
            ready.countDown();
            return Green.receive();
        });
        ready.await();
        assertThat(Green.send(h.pid(), 42)).isTrue();
        assertThat(h.join()).isEqualTo(42);
    }

    @Test
    void perSenderFifoUnderManySenders() {
        int senders = 16;
        int each = 20_000;
        rt.run(() -> {
            Pid self = Green.self();
            List<GreenHandle<Void>> hs = new ArrayList<>();
            for (int s = 0; s < senders; s++) {
                int id = s;
                hs.add(Green.spawn(() -> {
                    for (int i = 0; i < each; i++) {
                        Green.send(self, new long[] {id, i});
                        if ((i & 255) == 0) {
                            Green.yield();
                        }
                    }
                }));
            }
            int[] next = new int[senders];
            for (int k = 0; k < senders * each; k++) {
                long[] m = (long[]) Green.receive();
                assertThat(m[1]).isEqualTo(next[(int) m[0]]);
                next[(int) m[0]]++;
            }
            hs.forEach(GreenHandle::join);
            assertThat(next).containsOnly(each);
            return null;
        });
    }

    @Test
    void aMillionMessagesNothingLost() {
        int producers = 4;
        int each = 250_000;
        long sum = rt.run(() -> {
            Pid self = Green.self();
            for (int p = 0; p < producers; p++) {
                Green.spawn(() -> {
                    for (int i = 1; i <= each; i++) {
                        Green.send(self, i);
                    }
                });
            }
            long s = 0;
            for (int k = 0; k < producers * each; k++) {
                s += (Integer) Green.receive();
            }
            assertThat(Green.tryReceive()).isEmpty();
            return s;
        });
        assertThat(sum).isEqualTo(producers * ((long) each * (each + 1) / 2));
    }

    @Test
    void pingPongBetweenTwoThreads() {
        int rounds = 20_000;
        int got = rt.run(() -> {
            Pid self = Green.self();
            GreenHandle<Integer> ponger = Green.spawn(() -> {
                int n = 0;
                for (int i = 0; i < rounds; i++) {
                    Pid from = (Pid) Green.receive();
                    Green.send(from, i);
                    n++;
                }
                return n;
            });
            for (int i = 0; i < rounds; i++) {
                Green.send(ponger.pid(), self);
                assertThat((int) Green.receive(Integer.class)).isEqualTo(i);
            }
            return ponger.join();
        });
        assertThat(got).isEqualTo(rounds);
    }
}
