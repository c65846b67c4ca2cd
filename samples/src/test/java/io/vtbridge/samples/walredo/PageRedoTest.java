package io.vtbridge.samples.walredo;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PageRedoTest {

    private static final long GOLDEN = 0x9E3779B97F4A7C15L;

    @Test
    void aRecordChangesExactlyItsRangeByTheDocumentedRule() {
        long[] page = PageRedo.initialPage(7);
        long[] before = page.clone();
        byte[] request = PageRedo.newRequest(7, 2);
        PageRedo.putRecord(request, 0, PageRedo.XOR, 10, 5, 0x55L);
        PageRedo.putRecord(request, 1, PageRedo.ADD, 12, 100, -3L);
        PageRedo.apply(page, request);

        for (int i = 0; i < PageRedo.PAGE_WORDS; i++) {
            long want = before[i];
            if (i >= 10 && i < 15) {
                want ^= 0x55L + i * GOLDEN;          // first record
            }
            if (i >= 12 && i < 112) {
                want += -3L + i * GOLDEN;            // then the second, on top
            }
            assertThat(page[i]).as("word %d", i).isEqualTo(want);
        }
    }

    @Test
    void xorTwiceAndAddThenSubtractRestoreThePage() {
        long[] page = PageRedo.initialPage(3);
        long[] original = page.clone();
        byte[] xor = PageRedo.newRequest(3, 1);
        PageRedo.putRecord(xor, 0, PageRedo.XOR, 0, PageRedo.PAGE_WORDS, 12345L);
        PageRedo.apply(page, xor);
        assertThat(page).isNotEqualTo(original);
        PageRedo.apply(page, xor);
        assertThat(page).isEqualTo(original);

        byte[] add = PageRedo.newRequest(3, 1);
        PageRedo.putRecord(add, 0, PageRedo.ADD, 100, 1, 99L);
        byte[] subtract = PageRedo.newRequest(3, 1);
        PageRedo.putRecord(subtract, 0, PageRedo.ADD, 100, 1, -99L - 2 * 100 * GOLDEN);
        PageRedo.apply(page, add);
        PageRedo.apply(page, subtract);
        assertThat(page).isEqualTo(original);
    }

    @Test
    void aRequestWithoutRecordsReadsThePageUnchangedAndCarriesItsId() {
        long[] page = PageRedo.initialPage(41);
        byte[] read = PageRedo.newRequest(41, 0);
        PageRedo.apply(page, read);
        assertThat(page).isEqualTo(PageRedo.initialPage(41));
        assertThat(PageRedo.pageId(read)).isEqualTo(41);
        assertThat(read).hasSize(PageRedo.HEADER_BYTES);
    }

    @Test
    void pagesStartDifferentAndTheChecksumSeesOneWord() {
        assertThat(PageRedo.initialPage(0)).isNotEqualTo(PageRedo.initialPage(1));
        assertThat(PageRedo.checksum(PageRedo.initialPage(0))).isNotEqualTo(PageRedo.checksum(PageRedo.initialPage(1)));
        long[] page = PageRedo.initialPage(5);
        long before = PageRedo.checksum(page);
        page[PageRedo.PAGE_WORDS - 1] ^= 1;
        assertThat(PageRedo.checksum(page)).isNotEqualTo(before);
    }

    @Test
    void bothAnswerFormsStandForThePagesChecksum() {
        SplittableRandom random = new SplittableRandom(1);
        long[] page = new long[PageRedo.PAGE_WORDS];
        Arrays.setAll(page, i -> random.nextLong());
        long checksum = PageRedo.checksum(page);
        byte[] whole = PageRedo.encodePage(page);
        assertThat(whole).hasSize(PageRedo.PAGE_BYTES);
        assertThat(PageRedo.answerChecksum(whole)).isEqualTo(checksum);
        assertThat(PageRedo.answerChecksum(PageRedo.encodeChecksum(checksum))).isEqualTo(checksum);
        whole[100] ^= 0x10;
        assertThat(PageRedo.answerChecksum(whole)).isNotEqualTo(checksum);
    }

    @Test
    void malformedRequestsAreRefusedNamingWhatIsWrong() {
        long[] page = PageRedo.initialPage(0);
        assertThatThrownBy(() -> PageRedo.apply(page, new byte[3])).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("3 bytes");
        byte[] truncated = Arrays.copyOf(PageRedo.newRequest(0, 2), PageRedo.HEADER_BYTES + PageRedo.RECORD_BYTES);
        assertThatThrownBy(() -> PageRedo.apply(page, truncated)).hasMessageContaining("announces 2 records");
        byte[] badOp = PageRedo.newRequest(0, 1);
        badOp[PageRedo.HEADER_BYTES] = 9;
        assertThatThrownBy(() -> PageRedo.apply(page, badOp)).hasMessageContaining("unknown op 9");
        byte[] beyond = PageRedo.newRequest(0, 1);
        beyond[PageRedo.HEADER_BYTES + 1] = 0x03;                // first word 0x03FF = 1023 ...
        beyond[PageRedo.HEADER_BYTES + 2] = (byte) 0xFF;
        beyond[PageRedo.HEADER_BYTES + 4] = 2;                   // ... and 2 words: past the end
        assertThatThrownBy(() -> PageRedo.apply(page, beyond)).hasMessageContaining("words 1023..1024");
        assertThatThrownBy(() -> PageRedo.putRecord(PageRedo.newRequest(0, 1), 0, PageRedo.ADD, 1000, 25, 0))
                .hasMessageContaining("1000 + 25");
        assertThatThrownBy(() -> PageRedo.newRequest(0, -1)).hasMessageContaining("-1");
        assertThatThrownBy(() -> PageRedo.answerChecksum(new byte[9])).hasMessageContaining("9 bytes");
    }
}
