package io.verdant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Conservation of messages and values, one racing path per test (2 workers,
 * bounded rounds): every message handed to Verdant is received, or reported to
 * its sender (false, an exception), or a dead letter (the handler, and
 * metrics().deadLetters() counting exactly what the handler got), and never
 * two of these. What is documented as neither (a message delivered but still
 * unread when its receiver ends: discarded with the mailbox) is only checked
 * never to be received and dead-lettered both.
 */
@Timeout(60)
class MessageConservationTest {
    private static final int ROUNDS = 200;

    record M(int round, int n) {
    }

    private static Verdant start(ConcurrentLinkedQueue<Object> dead) {
        return Verdant.start(Config.builder().workers(2).name("conserve")
                .deadLetterHandler((pid, msg) -> dead.add(msg)).build());
    }

    /** A receiver that takes k messages and ends, racing senders: false <=> dead letter, never received and dead. */
    @Test
    void sendRacingTheReceiversEnd() {
        ConcurrentLinkedQueue<Object> dead = new ConcurrentLinkedQueue<>();
        try (Verdant rt = start(dead)) {
            for (int round = 0; round < ROUNDS; round++) {
                int r = round;
                Set<Object> refused = ConcurrentHashMap.newKeySet();
                List<Object> got = rt.run(() -> {
                    GreenHandle<List<Object>> rcv = Green.spawn(() -> {
                        List<Object> out = new ArrayList<>();
                        for (int i = 0; i < 20; i++) {
                            out.add(Green.receive());
                        }
                        return out;
                    });
                    List<GreenHandle<Void>> senders = new ArrayList<>();
                    for (int s = 0; s < 2; s++) {
                        int base = s * 1000;
                        senders.add(Green.spawn(() -> {
                            for (int i = 0; i < 30; i++) {
                                M m = new M(r, base + i);
                                if (!Green.send(rcv.pid(), m)) {
                                    refused.add(m);
                                }
                            }
                        }));
                    }
                    Green.joinAll(senders);
                    return rcv.join();
                });
                List<Object> deadNow = dead.stream().filter(m -> m instanceof M mm && mm.round() == r).toList();
                assertThat(deadNow).containsExactlyInAnyOrderElementsOf(refused);
                assertThat(got.stream().filter(deadNow::contains).toList()).isEmpty();
            }
            assertThat(rt.metrics().deadLetters()).isEqualTo(dead.size());
        }
    }

    /** Bounded mailboxes racing the end. */
    @Test
    void boundedPoliciesRacingTheEnd() {
        for (Mailbox mb : List.of(Mailbox.bounded(3, Mailbox.Overflow.DROP_NEWEST),
                Mailbox.bounded(3, Mailbox.Overflow.FAIL),
                Mailbox.blocking(3, Duration.ofMillis(5)),
                Mailbox.bounded(3, Mailbox.Overflow.DROP_OLDEST))) {
            ConcurrentLinkedQueue<Object> dead = new ConcurrentLinkedQueue<>();
            try (Verdant rt = start(dead)) {
                for (int round = 0; round < 50; round++) {
                    int r = round;
                    Set<Object> refused = ConcurrentHashMap.newKeySet();
                    Set<Object> thrown = ConcurrentHashMap.newKeySet();
                    Set<Object> accepted = ConcurrentHashMap.newKeySet();
                    List<Object> got = rt.run(() -> {
                        GreenHandle<List<Object>> rcv = Green.spawner().mailbox(mb).spawn(() -> {
                            List<Object> out = new ArrayList<>();
                            try {
                                for (int i = 0; i < 10; i++) {
                                    out.add(Green.receive(Duration.ofMillis(5)));
                                }
                            } catch (TimedOutException e) {
                                // senders done
                            }
                            return out;
                        });
                        List<GreenHandle<Void>> senders = new ArrayList<>();
                        for (int s = 0; s < 2; s++) {
                            int base = s * 1000;
                            senders.add(Green.spawn(() -> {
                                for (int i = 0; i < 20; i++) {
                                    M m = new M(r, base + i);
                                    try {
                                        if (Green.send(rcv.pid(), m)) {
                                            accepted.add(m);
                                        } else {
                                            refused.add(m);
                                        }
                                    } catch (MailboxFullException e) {
                                        thrown.add(m);
                                    }
                                }
                            }));
                        }
                        Green.joinAll(senders);
                        return rcv.join();
                    });
                    List<Object> deadNow = dead.stream().filter(m -> m instanceof M mm && mm.round() == r).toList();
                    assertThat(deadNow).as(mb + " round " + r).doesNotHaveDuplicates();
                    assertThat(deadNow).as(mb.toString()).containsAll(refused);
                    assertThat(deadNow).as(mb.toString()).filteredOn(thrown::contains).isEmpty();
                    assertThat(got.stream().filter(deadNow::contains).toList()).as(mb.toString()).isEmpty();
                    assertThat(accepted).as(mb.toString()).containsAll(got);
                    if (!mb.toString().contains("OLDEST")) {
                        assertThat(deadNow).as(mb.toString()).containsExactlyInAnyOrderElementsOf(refused);
                    }
                }
                assertThat(rt.metrics().deadLetters()).isEqualTo(dead.size());
            }
        }
    }

    /** Green.call: a reply racing the caller's timeout. reply true <=> caller got it; false <=> dead letter. */
    @Test
    void replyRacingTheCallersTimeout() {
        ConcurrentLinkedQueue<Object> dead = new ConcurrentLinkedQueue<>();
        try (Verdant rt = start(dead)) {
            record Req(ReplyTo<M> to, M m) {
            }
            Set<Object> replied = ConcurrentHashMap.newKeySet();
            Set<Object> late = ConcurrentHashMap.newKeySet();
            Set<Object> returned = ConcurrentHashMap.newKeySet();
            rt.run(() -> {
                GreenHandle<Void> callee = Green.spawn(() -> {
                    for (;;) {
                        Object o = Green.receive();
                        if (o.equals("stop")) {
                            return;
                        }
                        Req q = (Req) o;
                        Green.yield();
                        if (q.to().reply(q.m())) {
                            replied.add(q.m());
                        } else {
                            late.add(q.m());
                        }
                    }
                });
                List<GreenHandle<Void>> callers = new ArrayList<>();
                for (int c = 0; c < 2; c++) {
                    int base = c * 100000;
                    callers.add(Green.spawn(() -> {
                        for (int i = 0; i < 2000; i++) {
                            M m = new M(0, base + i);
                            try {
                                returned.add(Green.<M>call(callee.pid(), to -> new Req(to, m), Duration.ofNanos(20_000)));
                            } catch (TimedOutException e) {
                                // the call ended first: a reply after it is a dead letter
                            }
                        }
                    }));
                }
                Green.joinAll(callers);
                Green.send(callee.pid(), "stop"); // after every request: its replies are all made when it ends
                callee.join();
            });
            assertThat(returned).isEqualTo(replied);
            assertThat(dead).containsExactlyInAnyOrderElementsOf(late);
            assertThat(rt.metrics().deadLetters()).isEqualTo(dead.size());
        }
    }

    /** Verdant.call from a platform thread, reply racing the timeout. */
    @Test
    void runtimeCallReplyRacingTheTimeout() {
        ConcurrentLinkedQueue<Object> dead = new ConcurrentLinkedQueue<>();
        try (Verdant rt = start(dead)) {
            record Req(Pid to, M m) {
            }
            Set<Object> sentOk = ConcurrentHashMap.newKeySet();
            Set<Object> sentFalse = ConcurrentHashMap.newKeySet();
            Set<Object> returned = ConcurrentHashMap.newKeySet();
            GreenHandle<Void> callee = rt.spawn(() -> {
                for (;;) {
                    Object o = Green.receive();
                    if (o.equals("stop")) {
                        return;
                    }
                    Req q = (Req) o;
                    if (Green.send(q.to(), q.m())) {
                        sentOk.add(q.m());
                    } else {
                        sentFalse.add(q.m());
                    }
                }
            });
            for (int i = 0; i < 1000; i++) {
                M m = new M(0, i);
                try {
                    returned.add(rt.call(callee.pid(), to -> new Req(to, m), M.class, Duration.ofNanos(200_000)));
                } catch (TimedOutException e) {
                    // the call ended first: a reply after it is a dead letter
                }
            }
            rt.send(callee.pid(), "stop");
            callee.join();
            List<Object> d = new ArrayList<>(dead);
            assertThat(d).doesNotHaveDuplicates().filteredOn(returned::contains).isEmpty();
            assertThat(sentOk).containsAll(returned);
            assertThat(d).containsAll(sentFalse);
            assertThat(returned.size() + d.size()).isEqualTo(sentOk.size() + sentFalse.size());
            assertThat(rt.metrics().deadLetters()).isEqualTo(dead.size());
        }
    }

    /** Channel: sends racing close, receivers drain: every send that returned is received exactly once. */
    @Test
    void channelSendsRacingClose() {
        for (int cap : new int[] {0, 1, 4, Integer.MAX_VALUE}) {
            try (Verdant rt = Verdant.start(Config.builder().workers(2).name("chan").build())) {
                for (int round = 0; round < ROUNDS; round++) {
                    Channel<Integer> ch = cap == 0 ? Channel.rendezvous()
                            : cap == Integer.MAX_VALUE ? Channel.unbounded() : Channel.bounded(cap);
                    Set<Integer> sent = ConcurrentHashMap.newKeySet();
                    ConcurrentLinkedQueue<Integer> got = new ConcurrentLinkedQueue<>();
                    rt.run(() -> {
                        List<GreenHandle<Void>> all = new ArrayList<>();
                        for (int s = 0; s < 2; s++) {
                            int base = s * 1000;
                            all.add(Green.spawn(() -> {
                                for (int i = 0; i < 50; i++) {
                                    try {
                                        if (i % 3 == 0) {
                                            ch.send(base + i, Duration.ofNanos(5000));
                                        } else if (i % 3 == 1) {
                                            if (!ch.trySend(base + i)) {
                                                continue;
                                            }
                                        } else {
                                            ch.send(base + i);
                                        }
                                        sent.add(base + i);
                                    } catch (ChannelClosedException | TimedOutException e) {
                                        // not sent
                                    }
                                }
                            }));
                        }
                        for (int r = 0; r < 2; r++) {
                            all.add(Green.spawn(() -> {
                                try {
                                    for (;;) {
                                        try {
                                            got.add(ch.receive(Duration.ofNanos(3000)));
                                        } catch (TimedOutException e) {
                                            // again
                                        }
                                    }
                                } catch (ChannelClosedException e) {
                                    // drained
                                }
                            }));
                        }
                        all.add(Green.spawn(() -> {
                            Green.yield();
                            ch.close();
                        }));
                        Green.joinAll(all);
                    });
                    assertThat(got).as("cap " + cap).doesNotHaveDuplicates();
                    assertThat(new ArrayList<>(got)).as("cap " + cap).containsExactlyInAnyOrderElementsOf(sent);
                }
            }
        }
    }

    /** Select send cases with a timeout, racing receivers. */
    @Test
    void selectSendRacingReceivers() {
        try (Verdant rt = Verdant.start(Config.builder().workers(2).name("sel").build())) {
            for (int round = 0; round < ROUNDS; round++) {
                Channel<Integer> a = Channel.rendezvous();
                Channel<Integer> b = Channel.bounded(1);
                Set<Integer> sent = ConcurrentHashMap.newKeySet();
                ConcurrentLinkedQueue<Integer> got = new ConcurrentLinkedQueue<>();
                rt.run(() -> {
                    List<GreenHandle<Void>> all = new ArrayList<>();
                    all.add(Green.spawn(() -> {
                        for (int i = 0; i < 100; i += 2) {
                            int x = i;
                            Integer which = Select.<Integer>create()
                                    .onSend(a, x, () -> x)
                                    .onSend(b, x + 1, () -> x + 1)
                                    .onTimeout(Duration.ofNanos(2000), () -> null)
                                    .select();
                            if (which != null) {
                                sent.add(which);
                            }
                        }
                        a.close();
                        b.close();
                    }));
                    for (Channel<Integer> ch : List.of(a, b)) {
                        all.add(Green.spawn(() -> {
                            try {
                                for (;;) {
                                    try {
                                        got.add(ch.receive(Duration.ofNanos(1000)));
                                    } catch (TimedOutException e) {
                                        // again
                                    }
                                }
                            } catch (ChannelClosedException e) {
                                // drained
                            }
                        }));
                    }
                    Green.joinAll(all);
                });
                assertThat(new ArrayList<>(got)).containsExactlyInAnyOrderElementsOf(sent);
            }
        }
    }

    /** Event actor that stops after k messages, senders racing: false <=> dead letter; handled never dead. */
    @Test
    void eventActorStopRacingSenders() {
        ConcurrentLinkedQueue<Object> dead = new ConcurrentLinkedQueue<>();
        try (Verdant rt = start(dead)) {
            for (int round = 0; round < ROUNDS; round++) {
                int r = round;
                Set<Object> refused = ConcurrentHashMap.newKeySet();
                ConcurrentLinkedQueue<Object> handled = new ConcurrentLinkedQueue<>();
                rt.run(() -> {
                    GreenHandle<Integer> a = Actors.spawn(0, (Integer n, Object msg) -> {
                        handled.add(msg);
                        if (n + 1 == 15) {
                            Actors.stop();
                        }
                        return n + 1;
                    });
                    List<GreenHandle<Void>> senders = new ArrayList<>();
                    for (int s = 0; s < 2; s++) {
                        int base = s * 1000;
                        senders.add(Green.spawn(() -> {
                            for (int i = 0; i < 20; i++) {
                                M m = new M(r, base + i);
                                if (!Green.send(a.pid(), m)) {
                                    refused.add(m);
                                }
                            }
                        }));
                    }
                    Green.joinAll(senders);
                    a.join();
                });
                List<Object> deadNow = dead.stream().filter(m -> m instanceof M mm && mm.round() == r).toList();
                assertThat(deadNow).containsExactlyInAnyOrderElementsOf(refused);
                assertThat(handled).hasSize(15);
                assertThat(handled.stream().filter(deadNow::contains).toList()).isEmpty();
            }
            assertThat(rt.metrics().deadLetters()).isEqualTo(dead.size());
        }
    }

    /** Timers racing the addressee's end: each timer's message is received, or a dead letter, never both. */
    @Test
    void sendAfterRacingTheEnd() {
        ConcurrentLinkedQueue<Object> dead = new ConcurrentLinkedQueue<>();
        try (Verdant rt = start(dead)) {
            for (int round = 0; round < 50; round++) {
                int r = round;
                List<Object> got = rt.run(() -> {
                    GreenHandle<List<Object>> rcv = Green.spawn(() -> {
                        List<Object> out = new ArrayList<>();
                        for (int i = 0; i < 10; i++) {
                            out.add(Green.receive());
                        }
                        return out;
                    });
                    List<SendTimer> timers = new ArrayList<>();
                    for (int i = 0; i < 20; i++) {
                        timers.add(Green.sendAfter(rcv.pid(), new M(r, i), Duration.ofMillis(1 + i % 3)));
                    }
                    List<Object> out = rcv.join();
                    awaitTrue(() -> timers.stream().noneMatch(SendTimer::isActive));
                    return out;
                });
                // A fired timer's dead letter reaches the handler on a green thread of its own.
                awaitTrue(() -> rt.metrics().deadLetters() == dead.size());
                List<Object> deadNow = dead.stream().filter(m -> m instanceof M mm && mm.round() == r).toList();
                assertThat(deadNow).doesNotHaveDuplicates().hasSizeLessThanOrEqualTo(10);
                assertThat(got).hasSize(10);
                assertThat(got.stream().filter(deadNow::contains).toList()).isEmpty();
            }
            awaitTrue(() -> rt.metrics().deadLetters() == dead.size());
        }
    }

    /** Green.call to a DROP_OLDEST / DROP_NEWEST / BLOCK callee: outcome and dead letters agree. */
    @Test
    void callsToBoundedCallees() {
        record Req(ReplyTo<M> to, M m) {
        }
        for (Mailbox mb : List.of(Mailbox.bounded(2, Mailbox.Overflow.DROP_OLDEST),
                Mailbox.bounded(2, Mailbox.Overflow.DROP_NEWEST),
                Mailbox.blocking(2, Duration.ofMillis(1)),
                Mailbox.bounded(2, Mailbox.Overflow.FAIL))) {
            ConcurrentLinkedQueue<Object> dead = new ConcurrentLinkedQueue<>();
            try (Verdant rt = start(dead)) {
                Set<Object> replied = ConcurrentHashMap.newKeySet();
                Set<Object> returned = ConcurrentHashMap.newKeySet();
                Set<Object> full = ConcurrentHashMap.newKeySet();
                Set<Object> late = ConcurrentHashMap.newKeySet();
                Set<Object> timedOut = ConcurrentHashMap.newKeySet();
                rt.run(() -> {
                    GreenHandle<Void> callee = Green.spawner().mailbox(mb).spawn(() -> {
                        for (;;) {
                            Object o = Green.receive();
                            if (o.equals("stop")) {
                                return;
                            }
                            Req q = (Req) o;
                            if (q.to().reply(q.m())) {
                                replied.add(q.m());
                            } else {
                                late.add(q.m());
                            }
                        }
                    });
                    List<GreenHandle<Void>> callers = new ArrayList<>();
                    for (int c = 0; c < 4; c++) {
                        int base = c * 100000;
                        callers.add(Green.spawn(() -> {
                            for (int i = 0; i < 300; i++) {
                                M m = new M(0, base + i);
                                try {
                                    returned.add(Green.<M>call(callee.pid(), to -> new Req(to, m), Duration.ofMillis(50)));
                                } catch (MailboxFullException e) {
                                    full.add(m);
                                } catch (TimedOutException e) {
                                    timedOut.add(m);
                                }
                            }
                        }));
                    }
                    Green.joinAll(callers);
                    Green.send(callee.pid(), "stop");
                    callee.join();
                });
                assertThat(returned).as(mb.toString()).isEqualTo(replied);
                List<Object> deadReqs = dead.stream().filter(o -> o instanceof Req).map(o -> (Object) ((Req) o).m()).toList();
                List<Object> deadReplies = dead.stream().filter(o -> o instanceof M).toList();
                assertThat(deadReplies).as(mb.toString()).containsExactlyInAnyOrderElementsOf(late);
                assertThat(deadReqs).as(mb.toString()).doesNotHaveDuplicates();
                assertThat(deadReqs.stream().filter(replied::contains).toList()).as(mb.toString()).isEmpty();
                if (mb.toString().contains("DROP")) {
                    // A request dropped after its call timed out is a dead letter the caller never hears of.
                    assertThat(deadReqs).as(mb.toString()).containsAll(full);
                    assertThat(deadReqs.stream().filter(m -> !full.contains(m) && !timedOut.contains(m)).toList())
                            .as(mb + ": dropped requests whose call neither failed nor timed out").isEmpty();
                } else {
                    assertThat(deadReqs).as(mb.toString()).isEmpty();
                }
                assertThat(rt.metrics().deadLetters()).isEqualTo(dead.size());
            }
        }
    }

    /** Select receive cases racing plain senders (trySend, timed send) and close. */
    @Test
    void selectReceiveRacingSenders() {
        try (Verdant rt = Verdant.start(Config.builder().workers(2).name("selr").build())) {
            for (int round = 0; round < ROUNDS; round++) {
                Channel<Integer> a = Channel.rendezvous();
                Channel<Integer> b = Channel.bounded(1);
                Set<Integer> sent = ConcurrentHashMap.newKeySet();
                ConcurrentLinkedQueue<Integer> got = new ConcurrentLinkedQueue<>();
                rt.run(() -> {
                    List<GreenHandle<Void>> all = new ArrayList<>();
                    int[] bases = {0, 1000};
                    AtomicInteger finished = new AtomicInteger();
                    for (int k = 0; k < 2; k++) {
                        Channel<Integer> ch = k == 0 ? a : b;
                        int base = bases[k];
                        all.add(Green.spawn(() -> {
                            for (int i = 0; i < 50; i++) {
                                try {
                                    if (i % 2 == 0 ? ch.trySend(base + i) : sendTimed(ch, base + i)) {
                                        sent.add(base + i);
                                    }
                                } catch (ChannelClosedException e) {
                                    break;
                                }
                            }
                            finished.incrementAndGet();
                        }));
                    }
                    all.add(Green.spawn(() -> {
                        boolean aOpen = true;
                        boolean bOpen = true;
                        while (finished.get() < 2 && (aOpen || bOpen)) {
                            Integer v = Select.<Integer>create()
                                    .onReceive(a, x -> x)
                                    .onReceive(b, x -> x)
                                    .onClosed(a, e -> -1)
                                    .onClosed(b, e -> -2)
                                    .onTimeout(Duration.ofNanos(3000), () -> null)
                                    .select();
                            if (v != null && v >= 0) {
                                got.add(v);
                            } else if (v != null && v == -1) {
                                aOpen = false;
                            } else if (v != null) {
                                bOpen = false;
                            }
                        }
                        a.close();
                        b.close();
                    }));
                    Green.joinAll(all);
                    try {
                        b.tryReceive().ifPresent(got::add);
                    } catch (ChannelClosedException drained) {
                        // empty
                    }
                });
                assertThat(new ArrayList<>(got)).containsExactlyInAnyOrderElementsOf(sent);
            }
        }
    }

    /** Green.call's javadoc: a request a FAIL or BLOCK mailbox refuses is reported by the exception alone. */
    @Test
    void aCallRefusedByAFullMailboxIsNotADeadLetter() {
        ConcurrentLinkedQueue<Object> dead = new ConcurrentLinkedQueue<>();
        try (Verdant rt = start(dead)) {
            for (Mailbox mb : List.of(Mailbox.bounded(1, Mailbox.Overflow.FAIL), Mailbox.blocking(1, Duration.ofMillis(1)))) {
                rt.run(() -> {
                    GreenHandle<Object> callee = Green.spawner().mailbox(mb).spawn(() -> Green.receive(m -> m.equals("end")));
                    assertThat(Green.send(callee.pid(), "filler")).isTrue();
                    long before = Green.runtime().deadLetterCount();
                    org.assertj.core.api.Assertions.assertThatThrownBy(
                                    () -> Green.<String>call(callee.pid(), to -> "request", Duration.ofSeconds(5)))
                            .as(mb.toString()).isInstanceOf(MailboxFullException.class);
                    assertThat(Green.runtime().deadLetterCount() - before).as(mb.toString()).isZero();
                    callee.cancel();
                });
            }
            assertThat(dead).isEmpty();
        }
    }

    /** Waits, at most 10 s, for a condition another thread makes true. */
    private static void awaitTrue(java.util.function.BooleanSupplier done) {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!done.getAsBoolean()) {
            assertThat(System.nanoTime() < deadline).as("condition reached in time").isTrue();
            Thread.yield();
        }
    }

    private static boolean sendTimed(Channel<Integer> ch, int v) {
        try {
            ch.send(v, Duration.ofNanos(4000));
            return true;
        } catch (TimedOutException e) {
            return false;
        }
    }

    /** Green.call and Verdant.call whose caller is cancelled racing the reply. */
    @Test
    void callerCancelledRacingTheReply() {
        ConcurrentLinkedQueue<Object> dead = new ConcurrentLinkedQueue<>();
        record Req(ReplyTo<M> to, M m) {
        }
        record Req2(Pid to, M m) {
        }
        try (Verdant rt = start(dead)) {
            Set<Object> replied = ConcurrentHashMap.newKeySet();
            Set<Object> late = ConcurrentHashMap.newKeySet();
            Set<Object> sent2 = ConcurrentHashMap.newKeySet();
            Set<Object> returned = ConcurrentHashMap.newKeySet();
            rt.run(() -> {
                GreenHandle<Void> callee = Green.spawn(() -> {
                    for (;;) {
                        Object o = Green.receive();
                        if (o.equals("stop")) {
                            return;
                        }
                        if (o instanceof Req q) {
                            if (q.to().reply(q.m())) {
                                replied.add(q.m());
                            } else {
                                late.add(q.m());
                            }
                        } else if (o instanceof Req2 q && Green.send(q.to(), q.m())) {
                            sent2.add(q.m());
                        }
                    }
                });
                Verdant self = Green.runtime();
                for (int i = 0; i < 1500; i++) {
                    M m = new M(i % 2, i);
                    GreenHandle<Void> caller = Green.spawn(() -> {
                        try {
                            M got = m.round() == 0
                                    ? Green.<M>call(callee.pid(), to -> new Req(to, m), Duration.ofSeconds(20))
                                    : self.call(callee.pid(), to -> new Req2(to, m), M.class, Duration.ofSeconds(20));
                            returned.add(got);
                        } catch (CancelledException e) {
                            // gave up
                        }
                    });
                    if (i % 3 != 0) {
                        Green.yield();
                    }
                    caller.cancel();
                    try {
                        caller.join();
                    } catch (CancelledException | GreenFailedException e) {
                        // cancelled before it ran
                    }
                }
                Green.send(callee.pid(), "stop");
                callee.join();
            });
            Set<Object> delivered = ConcurrentHashMap.newKeySet();
            delivered.addAll(replied);
            List<Object> d = new ArrayList<>(dead);
            assertThat(d).doesNotHaveDuplicates();
            assertThat(returned.stream().filter(d::contains).toList()).isEmpty();
            assertThat(returned).containsAll(replied);
            assertThat(d).containsAll(late);
            // Verdant.call replies: each sent one is returned or a dead letter
            for (Object m : sent2) {
                assertThat(returned.contains(m) || d.contains(m)).as("reply " + m).isTrue();
            }
        }
    }
}
