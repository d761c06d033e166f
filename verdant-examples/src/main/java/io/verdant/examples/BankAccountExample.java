package io.verdant.examples;

import io.verdant.Config;
import io.verdant.Green;
import io.verdant.GreenHandle;
import io.verdant.Pid;
import io.verdant.Verdant;

import java.time.Duration;

/**
 * A bank account actor with selective receive. A withdrawal larger than the
 * balance is not refused: the account waits for deposits only
 * ({@code Green.receive(Deposit.class)}), while balance queries and other
 * withdrawals stay queued, in order, until it can pay. Messages are a sealed
 * interface handled with a {@code switch}.
 */
public final class BankAccountExample {
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

    public static void main(String[] args) {
        try (Verdant rt = Verdant.start(Config.builder().workers(2).name("bank").build())) {
            rt.run(() -> {
                GreenHandle<Long> account = Green.spawner().name("account").spawn(() -> account(100));
                Pid acct = account.pid();
                Pid me = Green.self();
                Green.send(acct, new Withdraw(250, me));   // more than the balance: waits for deposits
                Green.send(acct, new Balance(me));         // queued behind the withdrawal
                GreenHandle<Void> payroll = Green.spawn(() -> {
                    for (int i = 0; i < 3; i++) {
                        Green.sleep(Duration.ofMillis(5));
                        Green.send(acct, new Deposit(60));
                    }
                });
                Paid paid = Green.receive(Paid.class);
                System.out.println("withdrew " + paid.amount() + " once deposits covered it; balance after: "
                        + paid.balanceAfter());
                Statement st = Green.receive(Statement.class);
                System.out.println("the balance query queued behind it answered: " + st.balance());
                payroll.join();
                Green.send(acct, new Close());
                System.out.println("final balance " + account.join());
                return null;
            });
        }
    }

    private static long account(long balance) {
        for (;;) {
            switch (Green.receive(Command.class)) {
                case Deposit(long amount) -> balance += amount;
                case Withdraw(long amount, Pid replyTo) -> {
                    while (balance < amount) {
                        // Selective receive: only deposits; everything else keeps its place.
                        balance += Green.receive(Deposit.class, Duration.ofSeconds(30)).amount();
                    }
                    balance -= amount;
                    Green.send(replyTo, new Paid(amount, balance));
                }
                case Balance(Pid replyTo) -> Green.send(replyTo, new Statement(balance));
                case Close() -> {
                    return balance;
                }
            }
        }
    }
}
