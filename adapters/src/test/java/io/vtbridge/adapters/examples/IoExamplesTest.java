package io.vtbridge.adapters.examples;

import io.vtbridge.Bridge;
import io.vtbridge.testing.Await;
import io.vtbridge.testing.TestBridge;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;

/** The io adapter's README examples run, with the results the README shows. */
@Timeout(60)
class IoExamplesTest {

    @TestBridge(shards = 2)
    Bridge bridge;

    @Test
    void processExampleGetsEachCallerItsOwnAnswer() throws Exception {
        assertThat(ProcessExample.run(bridge)).containsExactly("alpha", "beta", "gamma", "delta");
    }

    @Test
    void streamsExampleReadsWhatTheChildWrote() throws Exception {
        assertThat(StreamsExample.run(bridge)).isEqualTo("HELLO FROM A PIPE");
        // write, flush, close (by the buffered stream), readAllBytes, close: five calls on the pool (a worker counts each just after completing it)
        Await.until("five pool tasks counted", () -> bridge.blockingPoolStats().completed() >= 5);
    }
}
