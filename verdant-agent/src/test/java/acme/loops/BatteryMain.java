package acme.loops;

import io.verdant.Config;
import io.verdant.Verdant;
import io.verdant.agent.VerdantAgent;

import java.util.Map;

/** Child-JVM main: prints the battery's results, one {@code name=value} line each; "green" runs it in a green thread. */
public final class BatteryMain {
    private BatteryMain() {
    }

    public static void main(String[] args) {
        boolean green = args.length > 0 && args[0].equals("green");
        Map<String, String> results = green
                ? Verdant.run(Config.builder().workers(1).name("battery").build(), Battery::results)
                : Battery.results();
        results.forEach((k, v) -> System.out.println(k + "=" + v));
        System.out.println("STATS " + VerdantAgent.stats());
    }
}
