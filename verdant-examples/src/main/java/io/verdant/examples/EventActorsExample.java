package io.verdant.examples;

import io.verdant.Actors;
import io.verdant.Config;
import io.verdant.Green;
import io.verdant.GreenHandle;
import io.verdant.Pid;
import io.verdant.Verdant;

import java.time.Duration;

/**
 * The bank account of {@link BankAccountExample}, written as an event actor:
 * a behavior {@code (state, message) -> state} instead of a receive loop, with
 * no stack of its own while idle. Where the green-thread account waits for
 * deposits with a selective receive, this one {@linkplain Actors#stash() stashes}
 * what it cannot handle yet and {@linkplain Actors#unstashAll() unstashes} on
 * each deposit; the balance query still answers after the withdrawal queued
 * before it. A second event actor's handler blocks (it sleeps) while the
 * account keeps answering: only the dispatcher running that handler parks.
 */
public final class EventActorsExample {
    sealed interface Command permits Deposit, Withdraw, Balance, Close {
    }

    record Deposit(long amount) implements Command {
    }

    record Withdraw(long amount, Pid replyTo) implements Command {
    }

    record Balance(Pid replyTo) implements Command {
    }

    record Close() implements Command {
    }

    record Paid(long amount, long balanceAfter) {
    }

    record Statement(long balance) {
    }

    record Audited(String what) {
    }

    /** The account's behavior: the state is the balance. */
    static Long account(Long balance, Object message) {
        if (Actors.stashSize() > 0 && !(message instanceof Deposit)) {
            // A withdrawal is waiting for deposits: everything else keeps its place behind it.
            Actors.stash();
            return balance;
        }
        switch ((Command) message) {
            case Deposit(long amount) -> {
                Actors.unstashAll();   // the waiting withdrawal (and what queued behind it) runs next
                return balance + amount;
            }
            case Withdraw(long amount, Pid replyTo) -> {
                if (balance < amount) {
                    Actors.stash();
                    return balance;
                }
                Green.send(replyTo, new Paid(amount, balance - amount));
                return balance - amount;
            }
            case Balance(Pid replyTo) -> {
                Green.send(replyTo, new Statement(balance));
                return balance;
            }
            case Close() -> {
                Actors.stop();
                return balance;
            }
        }
    }

    public static void main(String[] args) {
        try (Verdant rt = Verdant.start(Config.builder().workers(2).name("bank-events").build())) {
            rt.run(() -> {
                GreenHandle<Long> account = Actors.spawner().name("account").spawn(100L, EventActorsExample::account);
                Pid acct = account.pid();
                Pid me = Green.self();
                Green.send(acct, new Withdraw(250, me));   // more than the balance: stashed until deposits cover it
                Green.send(acct, new Balance(me));         // stashed behind the withdrawal
                GreenHandle<Void> payroll = Green.spawn(() -> {
                    for (int i = 0; i < 3; i++) {
                        Green.sleep(Duration.ofMillis(5));
                        Green.send(acct, new Deposit(60));
                    }
                });
                Paid paid = Green.receive(Paid.class);
                System.out.println("event actor: withdrew " + paid.amount() + " once deposits covered it; balance after: "
                        + paid.balanceAfter());
                Statement st = Green.receive(Statement.class);
                System.out.println("event actor: the balance query stashed behind it answered: " + st.balance());
                payroll.join();

                // A handler may block: this one sleeps; the account answers meanwhile.
                GreenHandle<Object> auditor = Actors.spawner().name("auditor").spawn(null, (s, m) -> {
                    Green.sleep(Duration.ofMillis(500));   // parks only the dispatcher running this handler
                    Green.send((Pid) m, new Audited("books checked"));
                    return s;
                });
                Green.send(auditor.pid(), me);
                Green.send(acct, new Balance(me));
                Green.receive(Statement.class);
                boolean auditStillRunning = Green.tryReceive(Audited.class).isEmpty();
                System.out.println("event actor: the account answered while the auditor's handler slept: "
                        + auditStillRunning);
                System.out.println("event actor: auditor says " + Green.receive(Audited.class).what());
                auditor.cancel();

                Green.send(acct, new Close());
                System.out.println("event actor: final balance " + account.join());
                return null;
            });
        }
    }
}
