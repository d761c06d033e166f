package io.verdant.agent;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * In a deterministic runtime the agent's checkpoints are scheduling points, so
 * a seed recorded with the agent replays another schedule without it (and the
 * other way round). A failure's message says when the agent was on, and with
 * which options, so a key from CI is replayed under the same -javaagent.
 */
@Timeout(120)
class AgentReplayTest {
    @Test
    void aFailureRecordedWithTheAgentSaysSoAndTheSeedReplaysOnlyWithIt() throws Exception {
        ChildJvm.Outcome plain = ChildJvm.run(List.of(), "acme.loops.DetReplayMain", 60);
        ChildJvm.Outcome agent = ChildJvm.run(List.of(ChildJvm.agent("include=acme.**")), "acme.loops.DetReplayMain", 60);
        ChildJvm.Outcome again = ChildJvm.run(List.of(ChildJvm.agent("include=acme.**")), "acme.loops.DetReplayMain", 60);
        for (ChildJvm.Outcome o : List.of(plain, agent, again)) {
            assertThat(o.exitCode()).as(o.stderr()).isZero();
        }
        assertThat(line(agent, "TRACE ")).as("the same seed under the same agent").isEqualTo(line(again, "TRACE "));
        assertThat(line(agent, "TRACE ")).as("checkpoints in loops are scheduling points")
                .isNotEqualTo(line(plain, "TRACE "));
        assertThat(line(plain, "FAILURE ")).startsWith("[replay ").doesNotContain("verdant-agent");
        assertThat(line(agent, "FAILURE ")).startsWith("[replay ")
                .contains("recorded with verdant-agent (include=acme.**;entry=false;verbose=false)");
    }

    private static String line(ChildJvm.Outcome o, String prefix) {
        return o.stdoutLines().stream().filter(l -> l.startsWith(prefix)).map(l -> l.substring(prefix.length())).findFirst()
                .orElseThrow(() -> new AssertionError("no " + prefix + "line in\n" + o.stdout() + "\n" + o.stderr()));
    }
}
