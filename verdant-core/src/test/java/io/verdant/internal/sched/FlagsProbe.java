package io.verdant.internal.sched;

/**
 * Run by io.verdant.PropertySpellingTest in a fresh JVM (the switches are read
 * once, at class initialisation): prints each on/off switch read from a
 * {@code -Dverdant.*} property as {@code name=value}.
 */
public final class FlagsProbe {
    private FlagsProbe() {
    }

    public static void main(String[] args) {
        System.out.println("flags"
                + " pollerHomes=" + PollerHost.homes
                + " trace=" + TraceControl.COMPILED_IN
                + " adaptiveSpin=" + Scheduler.ADAPTIVE_SPIN
                + " spawnYield=" + Scheduler.spawnYield
                + " spawnSignalBatch=" + Scheduler.spawnSignalBatch
                + " spinCredit=" + SpinBudget.CREDIT
                + " metrics=" + WorkerCounters.ON
                + " tickerBackoff=" + Ticker.BACKOFF);
    }
}
