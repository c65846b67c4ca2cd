package io.vtbridge.fray;

import io.vtbridge.samples.stress.PlantedBugs;

import java.util.List;

/** The five planted bugs, by the test methods' names. */
final class Bugs {

    private Bugs() {
    }

    private static final List<PlantedBugs.Bug> ALL = PlantedBugs.all();

    static final PlantedBugs.Bug LOST_UPDATE = ALL.get(0);
    static final PlantedBugs.Bug CHECK_THEN_ACT = ALL.get(1);
    static final PlantedBugs.Bug LOST_SIGNAL = ALL.get(2);
    static final PlantedBugs.Bug LOCK_ORDER = ALL.get(3);
    static final PlantedBugs.Bug MISSED_JOB_CHANGE = ALL.get(4);

    /** The bug a test method stands for (its CSV name is the bug's own). */
    static PlantedBugs.Bug byMethod(String method) {
        return switch (method) {
            case "lostUpdate" -> LOST_UPDATE;
            case "checkThenAct" -> CHECK_THEN_ACT;
            case "lostSignal" -> LOST_SIGNAL;
            case "lockOrder" -> LOCK_ORDER;
            case "missedJobChange" -> MISSED_JOB_CHANGE;
            default -> throw new IllegalArgumentException(method);
        };
    }
}
