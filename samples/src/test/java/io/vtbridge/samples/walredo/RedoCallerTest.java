package io.vtbridge.samples.walredo;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** The caller's check, against in-process stand-ins for the child: it must tell a right answer from a wrong one. */
class RedoCallerTest {

    /** Applies requests to pages of its own, as the child does; {@code dropEvery} > 0 skips applying every n-th request. */
    private static RedoTransport inProcessChild(int pages, int dropEvery) {
        long[][] memory = new long[pages][];
        AtomicInteger n = new AtomicInteger();
        return request -> {
            int id = PageRedo.pageId(request);
            if (memory[id] == null) {
                memory[id] = PageRedo.initialPage(id);
            }
            if (dropEvery == 0 || n.incrementAndGet() % dropEvery != 0) {
                PageRedo.apply(memory[id], request);
            }
            return PageRedo.encodePage(memory[id]);
        };
    }

    private static long soon(long millis) {
        return System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
    }

    @Test
    void rightAnswersAllMatchAndTheBookFollowsTheChild() throws Exception {
        PageBook book = new PageBook(4);
        RedoTransport child = inProcessChild(4, 0);
        RedoCaller a = new RedoCaller(book, 0, 2, 4, 64, 1);
        RedoCaller b = new RedoCaller(book, 1, 2, 4, 64, 2);
        a.run(child, soon(100));
        b.run(child, soon(100));
        assertThat(a.calls()).isPositive();
        assertThat(b.calls()).isPositive();
        assertThat(a.mismatches() + b.mismatches()).isZero();
        assertThat(a.failure()).isNull();
        assertThat(a.latency().getTotalCount()).isEqualTo(a.calls());
        for (int p = 0; p < 4; p++) {
            long atChild = PageRedo.answerChecksum(child.call(PageRedo.newRequest(p, 0)));
            assertThat(atChild).as("page %d", p).isEqualTo(book.checksum(p));
        }
    }

    @Test
    void aRequestTheChildLostShowsAsAMismatch() throws Exception {
        RedoCaller caller = new RedoCaller(new PageBook(1), 0, 1, 2, 16, 3);
        caller.run(inProcessChild(1, 10), soon(50));
        assertThat(caller.calls()).isGreaterThanOrEqualTo(10);
        // the first lost request makes that answer wrong, and every later one (the page stays behind)
        assertThat(caller.mismatches()).isEqualTo(caller.calls() - 9);
    }

    @Test
    void aCorruptedOrShortAnswerIsAMismatch() throws Exception {
        RedoTransport child = inProcessChild(1, 0);
        RedoCaller flipped = new RedoCaller(new PageBook(1), 0, 1, 2, 16, 4);
        flipped.run(request -> {
            byte[] answer = child.call(request);
            answer[PageRedo.PAGE_BYTES - 1] ^= 1;
            return answer;
        }, soon(20));
        assertThat(flipped.mismatches()).isEqualTo(flipped.calls()).isPositive();

        RedoCaller shortAnswers = new RedoCaller(new PageBook(1), 0, 1, 2, 16, 5);
        shortAnswers.run(request -> new byte[3], soon(20));
        assertThat(shortAnswers.mismatches()).isEqualTo(shortAnswers.calls()).isPositive();
    }

    @Test
    void aFailedCallEndsTheLoopAndIsKept() throws Exception {
        IOException gone = new IOException("child gone");
        AtomicInteger calls = new AtomicInteger();
        RedoCaller caller = new RedoCaller(new PageBook(1), 0, 1, 2, 16, 6);
        caller.run(request -> {
            calls.incrementAndGet();
            throw gone;
        }, soon(10_000));
        assertThat(caller.failure()).isSameAs(gone);
        assertThat(calls).hasValue(1);
        assertThat(caller.calls()).isZero();
    }
}
