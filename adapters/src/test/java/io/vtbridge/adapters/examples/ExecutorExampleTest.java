package io.vtbridge.adapters.examples;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;

/** Runs the README's executor example and checks what it returns. */
@Timeout(60)
class ExecutorExampleTest {

    @Test
    void theReadmeExampleAnswersFromAHandlerOnTheBridge() throws Exception {
        assertThat(ExecutorExample.run()).matches("hello vtbridge from shard [01]");
    }
}
