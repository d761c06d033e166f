package io.verdant.examples;

import io.verdant.Config;
import io.verdant.Green;
import io.verdant.Pid;
import io.verdant.Signal;
import io.verdant.Supervisor;
import io.verdant.Verdant;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;

/**
 * A supervised worker pool that survives crashing workers: a dispatcher hands
 * jobs to workers that ask for them; some jobs crash their worker on the first
 * attempt. The supervisor restarts the worker (one-for-one), the dispatcher
 * sees the Down of the crashed worker and hands its job out again.
 */
public final class SupervisedPoolExample {
    record Ready(Pid worker) {
    }

    record Job(int id, int attempt) {
    }

    record Done(int id, long result) {
    }

    public static void main(String[] args) {
        try (Verdant rt = Verdant.start(Config.builder().workers(2).name("pool").build())) {
            rt.run(() -> {
                Pid dispatcher = Green.self();
                Supervisor.Builder pool = Supervisor.builder().name("workers")
                        .strategy(Supervisor.Strategy.ONE_FOR_ONE)
                        .intensity(100, Duration.ofSeconds(10));
                for (int w = 1; w <= 4; w++) {
                    pool.child(Supervisor.ChildSpec.of("worker-" + w, () -> worker(dispatcher)));
                }
                Supervisor sup = pool.start();

                int jobs = 100;
                ArrayDeque<Job> queue = new ArrayDeque<>();
                for (int i = 0; i < jobs; i++) {
                    queue.add(new Job(i, 1));
                }
                Map<Pid, Job> inFlight = new HashMap<>();
                ArrayDeque<Pid> idle = new ArrayDeque<>();
                long sum = 0;
                int done = 0;
                int crashes = 0;
                while (done < jobs) {
                    switch (Green.receive()) {
                        case Ready(Pid w) -> {
                            inFlight.remove(w);
                            idle.add(w);
                        }
                        case Done(int id, long result) -> {
                            sum += result;
                            done++;
                        }
                        case Signal.Down down when inFlight.containsKey(down.pid()) -> {
                            Job lost = inFlight.remove(down.pid());
                            queue.addFirst(new Job(lost.id(), lost.attempt() + 1));
                            crashes++;
                        }
                        default -> {
                        }
                    }
                    while (!idle.isEmpty() && !queue.isEmpty()) {
                        Pid w = idle.poll();
                        Job j = queue.poll();
                        if (Green.send(w, j)) {
                            Green.monitor(w);
                            inFlight.put(w, j);
                        } else {
                            queue.addFirst(j);
                        }
                    }
                }
                System.out.println("processed " + jobs + " jobs with 4 supervised workers: sum of squares = " + sum);
                // The supervisor may still be restarting the last crashed workers; it handles
                // those crashes before the shutdown queued behind them, so the count is final after it.
                sup.shutdown();
                System.out.println(crashes + " workers crashed on a job; the supervisor restarted them "
                        + sup.restartCount() + " times and every job was done");
                return null;
            });
        }
    }

    private static void worker(Pid dispatcher) {
        Pid self = Green.self();
        for (;;) {
            Green.send(dispatcher, new Ready(self));
            Job job = Green.receive(Job.class);
            if (job.id() % 7 == 3 && job.attempt() == 1) {
                throw new IllegalStateException("job " + job.id() + " crashed its worker");
            }
            Green.send(dispatcher, new Done(job.id(), (long) job.id() * job.id()));
        }
    }
}
