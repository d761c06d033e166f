package io.verdant;

import java.util.concurrent.BlockingQueue;

/** The actor contract, run against event actors (a {@link Behavior} per message). */
class EventActorContractTest extends ActorContractTest {
    private static Behavior<Object> recorder(BlockingQueue<Object> out) {
        return (state, m) -> {
            if (react(m, out)) {
                Actors.stop();
                return "exited";
            }
            return state;
        };
    }

    @Override
    GreenHandle<?> spawnRecorder(BlockingQueue<Object> out) {
        return Actors.spawner(rt).spawn(null, recorder(out));
    }

    @Override
    Supervisor.ChildSpec recorderSpec(String name, BlockingQueue<Object> out) {
        return Actors.childSpec(name, () -> null, recorder(out));
    }
}
