package io.verdant.examples;

import io.verdant.Config;
import io.verdant.Green;
import io.verdant.GreenHandle;
import io.verdant.Pid;
import io.verdant.Signal;
import io.verdant.Verdant;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A chat room: one room actor fans every message out to its members (each a
 * green thread with a mailbox). Members are monitored, so one that ends is
 * dropped from the room without a Leave.
 */
public final class ChatRoomExample {
    sealed interface RoomMsg permits Join, Say, Close {
    }

    record Join(Pid member, String name) implements RoomMsg {
    }

    record Say(String from, String text) implements RoomMsg {
    }

    record Close() implements RoomMsg {
    }

    record Line(String from, String text) {
    }

    public static void main(String[] args) {
        try (Verdant rt = Verdant.start(Config.builder().workers(2).name("chat").build())) {
            rt.run(() -> {
                GreenHandle<Integer> room = Green.spawner().name("room").spawn(ChatRoomExample::room);
                List<GreenHandle<Integer>> members = new ArrayList<>();
                String[] names = {"ada", "grace", "barbara", "edsger"};
                for (String name : names) {
                    GreenHandle<Integer> m = Green.spawner().name(name)
                            .spawn(() -> member(room.pid(), name, 3 * (names.length - 1)));
                    Green.send(room.pid(), new Join(m.pid(), name));
                    members.add(m);
                }
                // A fifth member joins and leaves at once (it ends): the room's monitor drops it.
                GreenHandle<Void> quitter = Green.spawn(() -> {
                    Green.send(room.pid(), new Join(Green.self(), "quitter"));
                });
                quitter.join();
                // Every Join is in the room's mailbox before any member is told to talk
                // (and so before any Say: one mailbox, one order), and the quitter has ended.
                for (GreenHandle<Integer> m : members) {
                    Green.send(m.pid(), "go");
                }
                int received = 0;
                for (GreenHandle<Integer> m : members) {
                    received += m.join();
                }
                Green.send(room.pid(), new Close());
                System.out.println(names.length + " members each said 3 lines; the room delivered "
                        + room.join() + " lines; members received " + received);
                return null;
            });
        }
    }

    private static int room() {
        Map<Pid, String> members = new LinkedHashMap<>();
        int delivered = 0;
        for (;;) {
            Object m = Green.receive();
            if (m instanceof Signal.Down down) {
                members.remove(down.pid());
                continue;
            }
            switch ((RoomMsg) m) {
                case Join(Pid member, String name) -> {
                    members.put(member, name);
                    Green.monitor(member);
                }
                case Say(String from, String text) -> {
                    dropEnded(members);
                    for (Map.Entry<Pid, String> e : members.entrySet()) {
                        if (!e.getValue().equals(from) && Green.send(e.getKey(), new Line(from, text))) {
                            delivered++;
                        }
                    }
                }
                case Close() -> {
                    // Every member (and the quitter) has ended by now and its Down is in the
                    // mailbox: before Close, or behind it for a member already gone when its
                    // Join was handled (the quitter may be), whose Down monitor queued at once.
                    dropEnded(members);
                    System.out.println("room closing; members left: " + members.size()
                            + " (each was dropped when its Down arrived)");
                    return delivered;
                }
            }
        }
    }

    /** Drops the members whose Down is already in the mailbox, wherever it sits. */
    private static void dropEnded(Map<Pid, String> members) {
        while (Green.tryReceive(Signal.Down.class).orElse(null) instanceof Signal.Down down) {
            members.remove(down.pid());
        }
    }

    private static int member(Pid room, String name, int expect) {
        Green.receive(String.class); // "go"
        for (int i = 1; i <= 3; i++) {
            Green.send(room, new Say(name, "hello #" + i + " from " + name));
        }
        int got = 0;
        while (got < expect) {
            Line line = Green.receive(Line.class);
            if (got == 0 && name.equals("ada")) {
                System.out.println("ada's first line: <" + line.from() + "> " + line.text());
            }
            got++;
        }
        return got;
    }
}
