package io.verdant;

import java.util.concurrent.BlockingQueue;

/** The actor contract, run against green-thread actors (a loop around {@code Green.receive}). */
class GreenActorContractTest extends ActorContractTest {
    private static Object loop(BlockingQueue<Object> out) {
        for (;;) {
            if (react(Green.receive(), out)) {
                return "exited";
            }
        }
    }

    @Override
    GreenHandle<?> spawnRecorder(BlockingQueue<Object> out) {
        return rt.spawn(() -> loop(out));
    }

    @Override
    Supervisor.ChildSpec recorderSpec(String name, BlockingQueue<Object> out) {
        return Supervisor.ChildSpec.of(name, () -> loop(out));
    }
}
