package io.vtbridge.loop;

/**
 * Frees in-flight slots of the bridge's task table in a batch ({@code TaskTable.releaseAll}): a loop
 * collects the slots of the tasks that ended on it and hands them over at the end of each turn.
 *
 * <p><b>Threading:</b> called by a loop's owner; must be thread-safe (every loop calls it).
 */
@FunctionalInterface
public interface SlotReleaser {

    /** Frees {@code slots[0..n)}, each exactly once. */
    void releaseAll(int[] slots, int n);
}
