package io.vtbridge.samples.walredo;

import io.vtbridge.adapters.io.ProcessChannel;
import io.vtbridge.adapters.io.ProcessDiedException;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The child program, spoken to by both of the sample's clients. */
class WalRedoChildTest {

    private static final int PAGES = 4;

    @Test
    void pipelinedRequestsToOnePageAreAppliedInOrder() throws Exception {
        try (ProcessChannel channel = ProcessChannel.builder(ChildCommand.of(PAGES, true)).name("walredo-child-test").build()) {
            long[] expected = PageRedo.initialPage(2);
            List<CompletableFuture<byte[]>> answers = new ArrayList<>();
            List<Long> checksums = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                byte[] request = PageRedo.newRequest(2, 1);
                // ADD then XOR do not commute: a reordered pair would give another page
                PageRedo.putRecord(request, 0, i % 2 == 0 ? PageRedo.ADD : PageRedo.XOR, i % 1000, 24, i * 31L);
                PageRedo.apply(expected, request);
                checksums.add(PageRedo.checksum(expected));
                answers.add(channel.request(request));   // all in flight at once
            }
            for (int i = 0; i < answers.size(); i++) {
                byte[] answer = answers.get(i).get(30, TimeUnit.SECONDS);
                assertThat(answer).hasSize(PageRedo.PAGE_BYTES);
                assertThat(PageRedo.answerChecksum(answer)).as("answer %d", i).isEqualTo(checksums.get(i));
            }
        }
    }

    @Test
    void checksumAnswersAreEightBytes() throws Exception {
        try (ProcessChannel channel = ProcessChannel.builder(ChildCommand.of(PAGES, false)).name("walredo-child-test").build()) {
            byte[] answer = channel.call(PageRedo.newRequest(3, 0));
            assertThat(answer).hasSize(PageRedo.CHECKSUM_BYTES);
            assertThat(PageRedo.answerChecksum(answer)).isEqualTo(PageRedo.checksum(PageRedo.initialPage(3)));
        }
    }

    @Test
    void aPageOutOfRangeEndsTheChildWithItsReasonOnStandardError() throws Exception {
        try (ProcessChannel channel = ProcessChannel.builder(ChildCommand.of(PAGES, true)).name("walredo-child-test")
                .maxRestarts(0).build()) {
            CompletableFuture<byte[]> bad = channel.request(PageRedo.newRequest(PAGES, 0));
            assertThatThrownBy(() -> bad.get(30, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                    .cause().isInstanceOf(ProcessDiedException.class)
                    .satisfies(e -> {
                        ProcessDiedException died = (ProcessDiedException) e;
                        assertThat(died.exitCode()).isEqualTo(WalRedoChild.EXIT_BAD_REQUEST);
                        assertThat(died.stderrTail()).contains("page id 4 is not in 0..3");
                    });
        }
    }

    @Test
    void theBlockingClientReportsADeadChildAndCloseEndsIt() throws Exception {
        BlockingRedoClient client = new BlockingRedoClient(ChildCommand.of(PAGES, true), true);
        long pid = client.pid();
        try {
            assertThat(PageRedo.answerChecksum(client.call(PageRedo.newRequest(1, 0))))
                    .isEqualTo(PageRedo.checksum(PageRedo.initialPage(1)));
            assertThatThrownBy(() -> client.call(PageRedo.newRequest(-1, 0))).isInstanceOf(IOException.class)
                    .hasMessageContaining("pid " + pid).hasMessageContaining("exit code " + WalRedoChild.EXIT_BAD_REQUEST);
            assertThatThrownBy(() -> client.call(PageRedo.newRequest(1, 0))).isInstanceOf(IOException.class)
                    .hasMessageContaining("does not restart");
        } finally {
            client.close();
        }
        assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive)).isNotEqualTo(java.util.Optional.of(true));
    }

    @Test
    void closeEndsAHealthyChild() throws Exception {
        BlockingRedoClient client = new BlockingRedoClient(ChildCommand.of(PAGES, true), false);
        long pid = client.pid();
        client.call(PageRedo.newRequest(0, 0));
        client.close();
        assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive)).isNotEqualTo(java.util.Optional.of(true));
    }
}
