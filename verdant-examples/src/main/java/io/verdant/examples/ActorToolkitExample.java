package io.verdant.examples;

import io.verdant.Channel;
import io.verdant.Config;
import io.verdant.Green;
import io.verdant.GreenHandle;
import io.verdant.Mailbox;
import io.verdant.Pid;
import io.verdant.Ref;
import io.verdant.Registry;
import io.verdant.ReplyTo;
import io.verdant.Select;
import io.verdant.SendTimer;
import io.verdant.Supervisor;
import io.verdant.Verdant;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;

/**
 * The actor toolkit together: chat rooms started under a supervisor at run
 * time ({@code startChild}), found by name in the runtime's {@link Registry},
 * addressed through typed {@link Ref}s, joined with request–reply
 * ({@link Green#call}), members with bounded mailboxes that drop the oldest
 * lines when they fall behind (dead letters counted), a periodic timer
 * ({@link Green#sendEvery}), a crashed room restarted under its old name, and a
 * transcript channel whose close is a {@link Select} outcome. The scribe runs
 * through {@link Verdant#executor()}, the way a library that takes an
 * {@code Executor} would run it: as a green thread.
 */
public final class ActorToolkitExample {
    /** What a room accepts: a sealed hierarchy, so every send to a {@code Ref<RoomMsg>} is checked by the compiler. */
    sealed interface RoomMsg permits Join, Say, Who, Tick, Crash {
    }

    /** Join, answered with the number of members after joining. */
    record Join(String name, Ref<Line> member, ReplyTo<Integer> replyTo) implements RoomMsg {
    }

    record Say(String from, String text) implements RoomMsg {
    }

    /** Who is here, answered with the member names. */
    record Who(ReplyTo<List<String>> replyTo) implements RoomMsg {
    }

    /** The room's heartbeat, from its periodic timer. */
    record Tick() implements RoomMsg {
    }

    record Crash() implements RoomMsg {
    }

    /** A line delivered to a member. */
    record Line(String room, String from, String text) {
    }

    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    /** A member's mailbox: the newest four lines; older ones are dropped when it falls behind. */
    private static final int MEMBER_MAILBOX = 4;

    public static void main(String[] args) throws Exception {
        try (Verdant rt = Verdant.start(Config.builder().workers(2).name("toolkit").build())) {
            Channel<String> transcript = Channel.unbounded();
            ExecutorService executor = rt.executor();
            CompletableFuture<String> scribe = CompletableFuture.supplyAsync(
                    () -> scribe(transcript) + " transcript lines (on a green thread: " + Green.isGreen() + ")",
                    executor);
            Supervisor rooms = Supervisor.builder().name("rooms").intensity(3, Duration.ofSeconds(10)).start(rt);
            for (String name : List.of("lobby", "dev")) {
                Pid pid = rooms.startChild(Supervisor.ChildSpec.of("room:" + name, () -> room(name, transcript)));
                // A call is answered only once the room runs its loop, so it has registered its name by then.
                Green.call(pid, (ReplyTo<List<String>> r) -> new Who(r), TIMEOUT);
            }
            System.out.println("rooms: " + rt.registry().names() + "; supervised: "
                    + rooms.whichChildren().stream().map(c -> c.name() + " " + c.state()).toList());

            rt.run(() -> {
                Ref<RoomMsg> lobby = room(Green.runtime().registry(), "lobby");
                // One slow reader and two talkers, each with a bounded mailbox. The reader joins first.
                CountDownLatch joined = new CountDownLatch(1);
                CountDownLatch readNow = new CountDownLatch(1);
                GreenHandle<List<Line>> slow = Green.spawner().name("slow")
                        .mailbox(Mailbox.bounded(MEMBER_MAILBOX, Mailbox.Overflow.DROP_OLDEST))
                        .spawn(() -> slowReader(lobby, joined, readNow));
                joined.await();
                List<GreenHandle<Integer>> members = new ArrayList<>();
                for (String name : List.of("ada", "grace")) {
                    members.add(Green.spawner().name(name)
                            .mailbox(Mailbox.bounded(MEMBER_MAILBOX, Mailbox.Overflow.DROP_OLDEST))
                            .spawn(() -> talker(lobby, name)));
                }
                int said = 0;
                for (GreenHandle<Integer> m : members) {
                    said += m.join();
                }
                // The room handles messages in order: once it answers Who, every Say before it is fanned out.
                List<String> here = lobby.call(Who::new, TIMEOUT);
                long before = Green.runtime().deadLetterCount();
                readNow.countDown();
                List<Line> kept = slow.join();
                System.out.println("lobby members: " + here.size() + "; " + said + " lines said; slow kept the newest "
                        + kept.size() + " of the " + said + " sent to it");
                System.out.println("dead letters from slow's full mailbox: " + (Green.runtime().deadLetterCount() - before));

                // A room crashes: the supervisor restarts it and it registers its name again.
                Ref<RoomMsg> dev = room(Green.runtime().registry(), "dev");
                dev.send(new Crash());
                Ref<RoomMsg> dev2 = awaitRestart(Green.runtime().registry(), "dev", dev.pid());
                System.out.println("dev restarted under its name: " + !dev2.equals(dev) + "; restarts: "
                        + rooms.restartCount() + "; members now: " + dev2.call(Who::new, TIMEOUT));
                return null;
            });

            rooms.terminateChild("room:dev");
            System.out.println("after terminateChild: " + rooms.whichChildren().stream()
                    .map(c -> c.name() + " " + c.state()).toList() + "; registered: " + rt.registry().names());
            rooms.shutdown();
            transcript.close();
            System.out.println("scribe wrote " + scribe.join() + ", then saw the channel closed");
            executor.close();
        }
    }

    private static Ref<RoomMsg> room(Registry registry, String name) {
        return registry.whereis("room:" + name, RoomMsg.class)
                .orElseThrow(() -> new IllegalStateException("no room " + name));
    }

    private static Ref<RoomMsg> awaitRestart(Registry registry, String name, Pid old) {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            var now = registry.whereis("room:" + name, RoomMsg.class);
            if (now.isPresent() && !now.get().pid().equals(old)) {
                return now.get();
            }
            Green.sleep(Duration.ofMillis(1));
        }
        throw new IllegalStateException("room " + name + " was not restarted");
    }

    /** A room: registers its name, fans lines out to its members, beats a heartbeat. */
    private static Void room(String name, Channel<String> transcript) {
        Green.runtime().registry().register("room:" + name, Green.self());
        Ref<RoomMsg> self = Ref.self(RoomMsg.class);
        SendTimer heartbeat = self.sendEvery(new Tick(), Duration.ofMillis(10), Duration.ofMillis(10));
        Map<String, Ref<Line>> members = new LinkedHashMap<>();
        try {
            for (;;) {
                switch (Green.receive(RoomMsg.class)) {
                    case Join(String who, Ref<Line> member, ReplyTo<Integer> replyTo) -> {
                        members.put(who, member);
                        replyTo.reply(members.size());
                    }
                    case Say(String from, String text) -> {
                        transcript.send(name + " <" + from + "> " + text);
                        members.forEach((who, ref) -> {
                            if (!who.equals(from)) {
                                ref.send(new Line(name, from, text));
                            }
                        });
                    }
                    case Who(ReplyTo<List<String>> replyTo) -> replyTo.reply(List.copyOf(members.keySet()));
                    case Tick() -> {
                        // a real room would expire idle members here
                    }
                    case Crash() -> throw new IllegalStateException("room " + name + " crashed");
                }
            }
        } finally {
            heartbeat.cancel();
        }
    }

    private static int talker(Ref<RoomMsg> room, String name) {
        int members = room.call((ReplyTo<Integer> r) -> new Join(name, Ref.self(Line.class), r), TIMEOUT);
        if (members < 1) {
            throw new IllegalStateException("join failed");
        }
        for (int i = 1; i <= 5; i++) {
            room.send(new Say(name, "line " + i));
        }
        return 5;
    }

    /** Joins, then reads nothing until told: its bounded mailbox keeps only the newest lines. */
    private static List<Line> slowReader(Ref<RoomMsg> room, CountDownLatch joined, CountDownLatch readNow)
            throws InterruptedException {
        room.call((ReplyTo<Integer> r) -> new Join("slow", Ref.self(Line.class), r), TIMEOUT);
        joined.countDown();
        readNow.await();
        List<Line> kept = new ArrayList<>();
        for (var line = Green.tryReceive(Line.class); line.isPresent(); line = Green.tryReceive(Line.class)) {
            kept.add(line.get());
        }
        return kept;
    }

    /** Writes the transcript until the channel's close arrives as a select outcome. */
    private static int scribe(Channel<String> transcript) {
        int lines = 0;
        for (;;) {
            boolean open = Select.<Boolean>create()
                    .onReceive(transcript, line -> true)
                    .onClosed(transcript, closed -> false)
                    .select();
            if (!open) {
                return lines;
            }
            lines++;
        }
    }
}
