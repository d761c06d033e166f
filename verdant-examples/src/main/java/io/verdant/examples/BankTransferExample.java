package io.verdant.examples;

import io.verdant.Config;
import io.verdant.Determinism;
import io.verdant.Exploration;
import io.verdant.Green;
import io.verdant.GreenFailedException;
import io.verdant.GreenHandle;
import io.verdant.Pid;
import io.verdant.ReplyTo;
import io.verdant.ScheduleFailedException;
import io.verdant.Verdant;

import java.time.Duration;
import java.util.function.ToLongFunction;

/**
 * A concurrency bug found by deterministic mode. Accounts are actors; a
 * transfer asks the source account for its balance, and if it covers the
 * amount sends a debit: check, then act, in two messages. Two transfers of 60
 * from an account of 100 can both see 100 and both debit, leaving -20. The fix
 * makes the account check and debit in one message ({@code TryDebit}).
 *
 * <p>main explores 20 seeded schedules of each version on deterministic
 * runtimes, prints the failing schedule's replay key, replays it, and shows the
 * fixed version passing the same 20 schedules. BankTransferExampleTest does the
 * same with {@code @VerdantTest}.
 */
public final class BankTransferExample {
    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    record Balance(ReplyTo<Long> replyTo) {
    }

    record Debit(long amount) {
    }

    record TryDebit(long amount, ReplyTo<Boolean> replyTo) {
    }

    record Credit(long amount) {
    }

    record Close(ReplyTo<Long> replyTo) {
    }

    /** One way to move money from one account to another; true if it moved. */
    @FunctionalInterface
    interface Transfer {
        boolean move(Pid from, Pid to, long amount);
    }

    private BankTransferExample() {
    }

    /** An account: a green thread that owns its balance and serves one message at a time. */
    static void account(long balance) {
        for (;;) {
            switch (Green.receive()) {
                case Balance(ReplyTo<Long> r) -> r.reply(balance);
                case Debit(long amount) -> balance -= amount;
                case TryDebit(long amount, ReplyTo<Boolean> r) -> {
                    boolean ok = balance >= amount;
                    if (ok) {
                        balance -= amount;
                    }
                    r.reply(ok);
                }
                case Credit(long amount) -> balance += amount;
                case Close(ReplyTo<Long> r) -> {
                    r.reply(balance);
                    return;
                }
                default -> throw new IllegalArgumentException("unknown message");
            }
        }
    }

    /** The bug: check the balance in one message, debit in another; another transfer can run in between. */
    static boolean checkThenDebit(Pid from, Pid to, long amount) {
        long balance = Green.call(from, (ReplyTo<Long> r) -> new Balance(r), TIMEOUT);
        if (balance < amount) {
            return false;
        }
        Green.send(from, new Debit(amount));
        Green.send(to, new Credit(amount));
        return true;
    }

    /** The fix: the account checks and debits in one message. */
    static boolean tryDebit(Pid from, Pid to, long amount) {
        if (!Green.call(from, (ReplyTo<Boolean> r) -> new TryDebit(amount, r), TIMEOUT)) {
            return false;
        }
        Green.send(to, new Credit(amount));
        return true;
    }

    /**
     * Green only. Two concurrent transfers of 60 from an account of 100 to an
     * empty one; fails (throws) if the source ends negative or money appears
     * or vanishes.
     *
     * @return the final balances, source then target
     */
    static long[] twoTransfers(Transfer transfer) {
        Pid alice = Green.spawner().name("alice").spawn(() -> account(100)).pid();
        Pid bob = Green.spawner().name("bob").spawn(() -> account(0)).pid();
        GreenHandle<Boolean> t1 = Green.spawn(() -> transfer.move(alice, bob, 60));
        GreenHandle<Boolean> t2 = Green.spawn(() -> transfer.move(alice, bob, 60));
        t1.join();
        t2.join();
        ToLongFunction<Pid> close = p -> Green.call(p, (ReplyTo<Long> r) -> new Close(r), TIMEOUT);
        long[] balances = {close.applyAsLong(alice), close.applyAsLong(bob)};
        if (balances[0] < 0 || balances[0] + balances[1] != 100) {
            throw new IllegalStateException("alice overdrawn: balances " + balances[0] + " and " + balances[1]);
        }
        return balances;
    }

    public static void main(String[] args) {
        try {
            Exploration.of(() -> twoTransfers(BankTransferExample::checkThenDebit)).schedules(20).run();
            System.out.println("check-then-debit: no failure in 20 schedules (unexpected)");
        } catch (ScheduleFailedException e) {
            System.out.println("check-then-debit: " + e.getCause().getMessage() + " -- replay " + e.replayKey());
            try (Verdant rt = Verdant.deterministic(Config.defaults(), Determinism.replay(e.replayKey()))) {
                rt.run(() -> twoTransfers(BankTransferExample::checkThenDebit));
            } catch (ScheduleFailedException | GreenFailedException again) {
                System.out.println("replayed " + e.replayKey() + ": " + again.getCause().getMessage() + " again");
            }
        }
        int passed = Exploration.of(() -> twoTransfers(BankTransferExample::tryDebit)).schedules(20).run();
        System.out.println("try-debit: " + passed + " of 20 schedules passed");
    }
}
