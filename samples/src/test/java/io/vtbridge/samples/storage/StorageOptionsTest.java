package io.vtbridge.samples.storage;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The command line: defaults, {@code --quick}, overrides, errors that name the option and the value. */
class StorageOptionsTest {

    @Test
    void quickShrinksTheRunAndOptionsOverrideIt() {
        StorageOptions o = StorageOptions.parse("--seconds", "5", "--quick", "--modes", "hand-off,virtual",
                "--csv", "out.csv", "--stall-threshold-ms", "50");
        assertThat(o.keys()).isEqualTo(StorageOptions.quick().keys()).isLessThan(StorageOptions.defaults().keys());
        assertThat(o.duration()).isEqualTo(Duration.ofSeconds(5));
        assertThat(o.modes()).containsExactly(StorageMode.HAND_OFF, StorageMode.VIRTUAL);
        assertThat(o.csv()).isEqualTo(Path.of("out.csv"));
        assertThat(o.stallThreshold()).isEqualTo(Duration.ofMillis(50));
        assertThat(StorageOptions.parse("--help")).isNull();
    }

    @Test
    void theChildJvmReadsBackWhatItIsGiven() {
        StorageOptions o = StorageOptions.parse("--quick", "--keys", "2000", "--read-percent", "75", "--log-stalls");
        StorageOptions child = o.forChild(Path.of("seed.mv"), Path.of("child.csv"), 3);
        StorageOptions back = StorageOptions.parse(child.toArgs().toArray(String[]::new));
        assertThat(back).isEqualTo(child);
        assertThat(back.modes()).containsExactly(StorageMode.PROVIDER);
        assertThat(back.firstRound()).isEqualTo(3);
        assertThat(back.keys()).isEqualTo(2000);
        assertThat(back.warmup()).isEqualTo(StorageOptions.CHILD_MIN_WARMUP); // --quick's 1 s, raised: the child starts cold
        assertThat(StorageOptions.parse("--warmup-seconds", "0").forChild(Path.of("s"), Path.of("c"), 1).warmup()).isZero();
    }

    @Test
    void aBadOptionIsNamedWithItsValue() {
        assertThatThrownBy(() -> StorageOptions.parse("--keys", "many"))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("--keys must be a whole number: many");
        assertThatThrownBy(() -> StorageOptions.parse("--callers", "0"))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("--callers must be positive: 0");
        assertThatThrownBy(() -> StorageOptions.parse("--read-percent", "101"))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("--read-percent must be 0-100: 101");
        assertThatThrownBy(() -> StorageOptions.parse("--modes", "report,fast"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("--modes: no mode named 'fast'");
        assertThatThrownBy(() -> StorageOptions.parse("--frobnicate"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("unknown option: --frobnicate");
        assertThatThrownBy(() -> StorageOptions.parse("--csv"))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("--csv needs a value");
        assertThatThrownBy(() -> StorageOptions.parse("--value-bytes", "8"))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("--value-bytes must be at least 16: 8");
    }

    @Test
    void everyModeHasALabelTheCommandLineTakes() {
        for (StorageMode mode : StorageMode.values()) {
            assertThat(StorageMode.byLabel(mode.label())).isEqualTo(mode);
        }
        assertThat(StorageOptions.parse("--modes", "provider").modes()).isEqualTo(List.of(StorageMode.PROVIDER));
    }
}
