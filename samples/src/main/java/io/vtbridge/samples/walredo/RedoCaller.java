package io.vtbridge.samples.walredo;

import org.HdrHistogram.Histogram;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * One caller of a round: a closed loop that picks one of its own pages, makes a request of a few
 * random records, computes the page it expects back, calls the child, and checks the answer's
 * checksum against the expected page's. Latency is measured per call, from just before the call (a
 * sync caller's wait for the lock included) to the answer; building the request and checking the
 * answer are outside it.
 *
 * <p>A failed call ends the caller's loop: the page's state at the child is then unknown, and the
 * round reports the failure.
 *
 * <p><b>Threading:</b> one caller is driven by one thread at a time (a platform thread in sync mode,
 * a bridged virtual thread in async mode, or the steps of a {@link ChainedCaller}, each ordered
 * after the previous by the answer's completion); the round runner reads its figures after that
 * thread ended (join) or its future completed.
 */
final class RedoCaller {

    private static final long HIGHEST_NANOS = TimeUnit.SECONDS.toNanos(60);

    private final PageBook book;
    private final int firstPage;
    private final int stride;
    private final int ownedPages;
    private final int records;
    private final int recordWords;
    private final SplittableRandom random;
    private final Histogram latency = new Histogram(HIGHEST_NANOS, 3);
    private long[] expected = new long[PageRedo.PAGE_WORDS]; // driving thread: the planned request's page, once applied
    private int plannedPage;                                 // driving thread: the page of the planned request
    private long expectedChecksum;                           // driving thread: checksum of expected
    private long calls;                                      // driving thread; read after it ended
    private long mismatches;                                 // driving thread; read after it ended
    private Throwable failure;                               // driving thread; read after it ended

    /**
     * Caller {@code index} of {@code callers}, owning the pages of {@code book} congruent to
     * {@code index} modulo {@code callers}.
     */
    RedoCaller(PageBook book, int index, int callers, int records, int recordWords, long seed) {
        if (book.size() < callers) {
            throw new IllegalArgumentException(book.size() + " pages for " + callers + " callers: each caller needs a page");
        }
        this.book = book;
        this.firstPage = index;
        this.stride = callers;
        this.ownedPages = (book.size() - index + callers - 1) / callers;
        this.records = records;
        this.recordWords = recordWords;
        this.random = new SplittableRandom(seed);
    }

    /** Calls {@code transport} in a loop until {@code deadline} (a {@link System#nanoTime()}), or the first failure. */
    void run(RedoTransport transport, long deadline) throws InterruptedException {
        while (System.nanoTime() < deadline) {
            byte[] request = plan();
            long start = System.nanoTime();
            byte[] answer;
            try {
                answer = transport.call(request);
            } catch (InterruptedException e) {
                throw e;
            } catch (Exception e) {
                failed(e);
                return;
            }
            answered(answer, System.nanoTime() - start);
        }
    }

    /** The next request, for a random page of this caller's; computes the page it should produce. */
    byte[] plan() {
        plannedPage = firstPage + stride * random.nextInt(ownedPages);
        byte[] request = newRequest(plannedPage);
        book.copy(plannedPage, expected);
        PageRedo.apply(expected, request);
        expectedChecksum = PageRedo.checksum(expected);
        return request;
    }

    /** Checks the answer to the last {@link #plan()}ned request, which took {@code nanos}. */
    void answered(byte[] answer, long nanos) {
        latency.recordValue(Math.min(HIGHEST_NANOS, nanos));
        calls++;
        if (!matches(answer, expectedChecksum)) {
            mismatches++;
        }
        expected = book.replace(plannedPage, expected); // what the child holds now, if it answered right
    }

    /** The last planned request failed: the caller stops. */
    void failed(Throwable e) {
        failure = e;
    }

    private byte[] newRequest(int page) {
        byte[] request = PageRedo.newRequest(page, records);
        for (int r = 0; r < records; r++) {
            int first = random.nextInt(PageRedo.PAGE_WORDS - recordWords + 1);
            byte op = random.nextBoolean() ? PageRedo.XOR : PageRedo.ADD;
            PageRedo.putRecord(request, r, op, first, recordWords, random.nextLong());
        }
        return request;
    }

    private static boolean matches(byte[] answer, long expectedChecksum) {
        try {
            return PageRedo.answerChecksum(answer) == expectedChecksum;
        } catch (IllegalArgumentException wrongLength) {
            return false;
        }
    }

    /** Per-call latency, nanoseconds. */
    Histogram latency() {
        return latency;
    }

    /** Calls answered (matching or not). */
    long calls() {
        return calls;
    }

    /** Answers whose checksum was not the expected page's. */
    long mismatches() {
        return mismatches;
    }

    /** The failure that ended the loop, or null. */
    Throwable failure() {
        return failure;
    }
}
