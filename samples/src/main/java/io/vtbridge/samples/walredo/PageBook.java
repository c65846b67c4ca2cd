package io.vtbridge.samples.walredo;

/**
 * The callers' record of what each page of one child holds: the expected state, updated by the
 * caller that owns the page as its answers are verified. Each mode has its own book, as it has its
 * own child.
 *
 * <p>In a round of {@code n} callers, caller {@code c} owns the pages {@code p} with
 * {@code p % n == c}, so no two callers touch a page at once and each caller knows its pages'
 * state; every caller owns at least one page as long as there are at least as many pages as
 * callers.
 *
 * <p><b>Threading:</b> a page is read and replaced only by the caller that owns it in the current
 * round. Between rounds the owner changes; the round runner's joins (Thread.join of the sync
 * callers, the completed futures of the bridged ones) order one round's writes before the next
 * round's reads.
 */
final class PageBook {

    private final long[][] pages; // pages[p]: written and read by p's owner only (see the class comment)

    /** A book of {@code count} pages, each in its {@link PageRedo#initialPage initial} state. */
    PageBook(int count) {
        pages = new long[count][];
        for (int p = 0; p < count; p++) {
            pages[p] = PageRedo.initialPage(p);
        }
    }

    /** Number of pages. */
    int size() {
        return pages.length;
    }

    /** Copies page {@code p} into {@code into}. */
    void copy(int p, long[] into) {
        System.arraycopy(pages[p], 0, into, 0, PageRedo.PAGE_WORDS);
    }

    /** Makes {@code page} the expected state of page {@code p}; returns the array it replaces, for reuse. */
    long[] replace(int p, long[] page) {
        long[] old = pages[p];
        pages[p] = page;
        return old;
    }

    /** The checksum of page {@code p}'s expected state. */
    long checksum(int p) {
        return PageRedo.checksum(pages[p]);
    }
}
