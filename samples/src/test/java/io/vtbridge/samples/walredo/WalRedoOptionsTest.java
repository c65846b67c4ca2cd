package io.vtbridge.samples.walredo;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class WalRedoOptionsTest {

    @Test
    void theDefaultSweepDoublesFromOneTo128() {
        WalRedoOptions o = WalRedoOptions.parse();
        assertThat(o.callers()).containsExactly(1, 2, 4, 8, 16, 32, 64, 128);
        assertThat(o.answerPage()).isTrue();
        assertThat(o.fairLock()).isTrue();
        assertThat(o.csv()).isNull();
        assertThat(o.help()).isFalse();
    }

    @Test
    void quickIsShortAndOtherOptionsOverrideItWhereverTheyStand() {
        WalRedoOptions quick = WalRedoOptions.parse("--quick");
        assertThat(quick.callers()).containsExactly(1, 4, 16, 64);
        double total = quick.warmupSeconds() * 2 + quick.callers().size() * 2 * quick.rounds() * quick.seconds();
        assertThat(total).as("measured seconds of --quick").isLessThan(20);

        WalRedoOptions o = WalRedoOptions.parse("--seconds", "0.25", "--quick", "--callers", "1,8", "--pages", "8",
                "--answer", "checksum", "--sync-lock", "barging", "--records", "3", "--record-bytes", "64", "--csv", "x.csv");
        assertThat(o.seconds()).isEqualTo(0.25);
        assertThat(o.rounds()).isEqualTo(1);
        assertThat(o.callers()).containsExactly(1, 8);
        assertThat(o.pages()).isEqualTo(8);
        assertThat(o.answerPage()).isFalse();
        assertThat(o.fairLock()).isFalse();
        assertThat(o.records()).isEqualTo(3);
        assertThat(o.recordWords()).isEqualTo(8);
        assertThat(o.csv()).isEqualTo(Path.of("x.csv"));
        assertThat(WalRedoOptions.parse("--help").help()).isTrue();
    }

    @Test
    void badValuesAreRefusedNamingTheOptionAndTheValue() {
        assertThatThrownBy(() -> WalRedoOptions.parse("--rounds", "two")).hasMessage("--rounds is not an integer: two");
        assertThatThrownBy(() -> WalRedoOptions.parse("--seconds", "-1")).hasMessage("--seconds must be positive: -1.0");
        assertThatThrownBy(() -> WalRedoOptions.parse("--callers", "1,x")).hasMessage("--callers is not a comma-separated list of integers: 1,x");
        assertThatThrownBy(() -> WalRedoOptions.parse("--callers", "0")).hasMessageContaining("--callers must be positive");
        assertThatThrownBy(() -> WalRedoOptions.parse("--answer", "both")).hasMessage("--answer must be page or checksum: both");
        assertThatThrownBy(() -> WalRedoOptions.parse("--record-bytes", "12")).hasMessageContaining("--record-bytes").hasMessageContaining("12");
        assertThatThrownBy(() -> WalRedoOptions.parse("--pages", "100")).hasMessageContaining("--pages 100").hasMessageContaining("128");
        assertThatThrownBy(() -> WalRedoOptions.parse("--csv")).hasMessage("--csv needs a value");
        assertThatThrownBy(() -> WalRedoOptions.parse("--port", "80")).hasMessageContaining("unknown option --port");
        assertThatThrownBy(() -> WalRedoOptions.parse("--warmup", "-0.5")).hasMessageContaining("--warmup must not be negative");
        assertThat(WalRedoOptions.parse("--warmup", "0").warmupSeconds()).isZero();
    }

    @Test
    void theProgrammaticCopiesChangeOneValue() {
        WalRedoOptions o = WalRedoOptions.quick().withCallers(List.of(2)).withPages(4).withSeconds(1).withRounds(2)
                .withWarmupSeconds(0).withCsv(Path.of("a.csv"));
        assertThat(o.callers()).containsExactly(2);
        assertThat(o.pages()).isEqualTo(4);
        assertThat(o.rounds()).isEqualTo(2);
        assertThat(o.warmupSeconds()).isZero();
        assertThat(o.csv()).isEqualTo(Path.of("a.csv"));
        assertThatThrownBy(() -> o.withCallers(List.of(8))).hasMessageContaining("--pages 4");
    }
}
