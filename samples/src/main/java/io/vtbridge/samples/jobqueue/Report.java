package io.vtbridge.samples.jobqueue;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Prints the sample's table, the threads each scenario left running, and the goals with whether
 * each was met; builds the {@link Result}.
 *
 * <p><b>Threading:</b> the driver's thread.
 */
final class Report {

    /** The heap goal per waiter, bytes. */
    static final double HEAP_GOAL = 2_048;

    private Report() {
    }

    /** Prints everything about {@code outcomes} to {@code out}; returns the result. */
    static Result print(List<DriverSteps.Outcome> outcomes, Options o, PrintStream out) {
        List<Result.Row> rows = outcomes.stream().map(DriverSteps.Outcome::row).toList();
        out.println();
        out.println("scenario          server    waiters parked | GET /jobs: due     ok    not  p50 ms  p99 ms  max ms"
                + " | POST /jobs: sent   ok p99 ms | server threads: idle  with (all) | heap B/waiter | notified answered ms client ms");
        for (Result.Row r : rows) {
            out.printf(Locale.ROOT, "%-17s %-9s %7d %6d | %15d %6d %6d %7s %7s %7s | %17d %4d %6s | %20d %5d %5s | %13s | %8d %11.1f %9.1f%n",
                    r.scenario(), r.server(), r.waiters(), r.parked(), r.listDue(), r.listOk(),
                    r.listNotAnswered(), ms(r.listP50Ms()), ms(r.listP99Ms()), ms(r.listMaxMs()),
                    r.submitSent(), r.submitOk(), ms(r.submitP99Ms()), r.serverThreadsIdle(), r.serverThreads(),
                    "(" + r.allThreads() + ")", Double.isNaN(r.heapPerWaiter()) ? "-" : String.format(Locale.ROOT, "%,.0f",
                            r.heapPerWaiter()), r.notified(), r.answeredMs(), r.notifyMs());
        }
        out.println("  not: not answered within " + o.listTimeout().toMillis() + " ms (timed out, or not sent: "
                + "the load generator's bound of outstanding requests was reached); latency from each request's due time"
                + " (open loop); heap per waiter: an estimate, the after-GC heap");
        out.println("  with the waiters parked minus before, divided by them; server threads: platform threads, the load generator's not counted;");
        out.println("  answered: from the job's change until the server had written every waiter's answer; client: until every client had it");
        for (DriverSteps.Outcome outcome : outcomes) {
            out.println();
            out.println("threads, " + outcome.row().scenario() + " on " + outcome.row().server() + " with "
                    + outcome.row().parked() + " waiters parked:");
            outcome.threads().forEach((owner, names) -> out.println("  " + owner + " " + names.size() + ": " + compact(names)));
            outcome.notes().forEach(out::println);
        }
        List<String> goals = goals(rows, outcomes, o);
        out.println();
        goals.forEach(g -> out.println("goal: " + g));
        return new Result(rows, goals, goals.stream().allMatch(g -> g.endsWith(": met")));
    }

    private static List<String> goals(List<Result.Row> rows, List<DriverSteps.Outcome> outcomes, Options o) {
        List<String> goals = new ArrayList<>();
        Result r = new Result(rows, List.of(), false);
        String jdk = ServerUnderTest.FrontEnd.HTTP_SERVER.serverName();
        String lean = ServerUnderTest.FrontEnd.LEAN.serverName();
        Result.Row fixed = r.row("attack", "fixed-" + o.poolThreads());
        Result.Row attacked = r.row("attack", jdk);
        Result.Row attackedLean = r.row("attack", lean);
        Result.Row poll = r.row("long-poll", jdk);
        Result.Row leanPoll = r.row("long-poll", lean);
        Result.Row bare = r.row("bare-waiters", "bridge");
        Result.Row cold = r.row("bare-waiters-cold", "bridge");
        long limit = o.listTimeout().toMillis();
        goals.add(String.format(Locale.ROOT, "the attack (%d idle waiters) fails on the bridge: GET /jobs answered within %d ms:"
                        + " %s %d of %d (the attack %s), %s %d of %d (p99 %s ms), %s %d of %d (p99 %s ms): %s",
                o.attackWaiters(), limit, fixed.server(), fixed.listOk(), fixed.listSent(),
                fixed.listOk() == 0 ? "succeeds: nobody else is served" : "does not succeed: "
                        + (o.attackWaiters() < o.poolThreads() ? "fewer waiters than pool threads" : "some lists got through"),
                jdk, attacked.listOk(), attacked.listDue(), ms(attacked.listP99Ms()),
                lean, attackedLean.listOk(), attackedLean.listDue(), ms(attackedLean.listP99Ms()),
                verdict(allAnswered(attacked) && allAnswered(attackedLean))));
        goals.add(String.format(Locale.ROOT, "GET /jobs answers in ms with %,d waiters parked: %s %d of %d answered, p99 %s ms,"
                        + " max %s ms; %s %d of %d, p99 %s ms, max %s ms: %s", poll.parked(), jdk, poll.listOk(), poll.listDue(),
                ms(poll.listP99Ms()), ms(poll.listMaxMs()), lean, leanPoll.listOk(), leanPoll.listDue(),
                ms(leanPoll.listP99Ms()), ms(leanPoll.listMaxMs()),
                verdict(answeredInMs(poll, limit) && answeredInMs(leanPoll, limit))));
        goals.add(threadGoal(poll, outcomes.get(rows.indexOf(poll)).threads(),
                leanPoll, outcomes.get(rows.indexOf(leanPoll)).threads(), o));
        goals.add(String.format(Locale.ROOT, "<= 2 KiB heap per waiter, the bridged waiter alone (no HTTP), warm: %,.0f B"
                        + " (cold, its frames not compiled yet: %,.0f B): %s",
                bare.heapPerWaiter(), cold.heapPerWaiter(), verdict(bare.heapPerWaiter() <= HEAP_GOAL)));
        goals.add(String.format(Locale.ROOT, "<= 2 KiB heap per waiter, with its connection to the JDK's HttpServer (%s):"
                        + " %,.0f B%s: %s",
                jdk, poll.heapPerWaiter(), overBare(poll, bare,
                        "the HttpServer's buffers and objects per connection, the handler's stack"),
                verdict(poll.heapPerWaiter() <= HEAP_GOAL)));
        goals.add(String.format(Locale.ROOT, "<= 2 KiB heap per waiter, with its connection to the lean front end (%s):"
                        + " %,.0f B%s: %s",
                lean, leanPoll.heapPerWaiter(), overBare(leanPoll, bare, "its socket channel, the connection's task and frames"),
                verdict(leanPoll.heapPerWaiter() <= HEAP_GOAL)));
        goals.add(String.format(Locale.ROOT, "job updates reach waiters: %,d of %,d long polls got the change on %s (the server"
                        + " answered them all in %.0f ms, the clients had them all in %.0f ms), %,d of %,d on %s (%.0f ms,"
                        + " %.0f ms), %,d of %,d bare waiters in %.0f ms: %s", poll.notified(), poll.waiters(), jdk,
                poll.answeredMs(), poll.notifyMs(), leanPoll.notified(), leanPoll.waiters(), lean, leanPoll.answeredMs(),
                leanPoll.notifyMs(), bare.notified(), bare.waiters(), bare.notifyMs(),
                verdict(rows.stream().allMatch(row -> row.notified() == row.waiters()))));
        return goals;
    }

    /** Platform threads do not grow with the waiters, behind either front end. */
    private static String threadGoal(Result.Row poll, Map<Footprint.Owner, List<String>> threads, Result.Row leanPoll,
                                     Map<Footprint.Owner, List<String>> leanThreads, Options o) {
        int bridgeBound = o.shards() * 3 + 1;          // a loop and (JDK 25) two timer threads per shard, the watchdog
        return String.format(Locale.ROOT, "platform threads do not grow with waiters: with %,d waiters parked %s has %d"
                        + " (%d with none; %s), %s %d (%d with none; %s); the bridge's at most %d: shards, their timer"
                        + " threads, the watchdog, no pool started: %s", poll.parked(), poll.server(), poll.serverThreads(),
                poll.serverThreadsIdle(), owners(threads), leanPoll.server(), leanPoll.serverThreads(),
                leanPoll.serverThreadsIdle(), owners(leanThreads), bridgeBound,
                verdict(threadsHeld(poll, threads, bridgeBound) && threadsHeld(leanPoll, leanThreads, bridgeBound)));
    }

    private static boolean threadsHeld(Result.Row row, Map<Footprint.Owner, List<String>> threads, int bridgeBound) {
        return row.serverThreads() <= row.serverThreadsIdle()
                && threads.getOrDefault(Footprint.Owner.BRIDGE, List.of()).size() <= bridgeBound
                && !threads.containsKey(Footprint.Owner.OTHER);
    }

    private static boolean answeredInMs(Result.Row row, long limit) {
        return allAnswered(row) && row.listP99Ms() < limit;
    }

    /** What a waiter of {@code row} costs over the bare waiter, when over the goal. */
    private static String overBare(Result.Row row, Result.Row bare, String what) {
        return row.heapPerWaiter() <= HEAP_GOAL ? "" : String.format(Locale.ROOT, " (%,.0f B over the bare waiter: %s)",
                row.heapPerWaiter() - bare.heapPerWaiter(), what);
    }

    private static boolean allAnswered(Result.Row r) {
        return r.listDue() > 0 && r.listOk() == r.listDue() && r.submitOk() == r.submitSent();
    }

    private static String verdict(boolean met) {
        return met ? "met" : "missed";
    }

    private static String ms(double millis) {
        return Double.isNaN(millis) ? "-" : String.format(Locale.ROOT, millis < 10 ? "%.2f" : "%.0f", millis);
    }

    private static String owners(Map<Footprint.Owner, List<String>> threads) {
        return threads.entrySet().stream().filter(e -> e.getKey() != Footprint.Owner.LOAD_GENERATOR
                        && e.getKey() != Footprint.Owner.DRIVER)
                .map(e -> e.getKey().name().toLowerCase(Locale.ROOT).replace('_', ' ') + " " + e.getValue().size())
                .collect(Collectors.joining(", "));
    }

    /** Names with their trailing numbers folded: {@code jobqueue-2-shard-0, -1} as {@code jobqueue-2-shard-N x2}. */
    static String compact(List<String> names) {
        Map<String, Integer> folded = new LinkedHashMap<>();
        for (String name : names) {
            folded.merge(name.replaceAll("\\d+$", "N"), 1, Integer::sum);
        }
        return folded.entrySet().stream().map(e -> e.getValue() == 1 ? e.getKey() : e.getKey() + " x" + e.getValue())
                .collect(Collectors.joining(", "));
    }
}
