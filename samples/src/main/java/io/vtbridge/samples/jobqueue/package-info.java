/**
 * The {@code jobqueue} sample ({@link io.vtbridge.samples.jobqueue.JobQueueSample}): Ganeti masterd
 * 2.2's job queue, where 16 idle clients waiting for job changes exhausted 16 worker threads. A job
 * server ({@link io.vtbridge.samples.jobqueue.JobRoutes}, with a lock and condition per job and a
 * read-write lock over the job list) behind two HTTP front ends: the JDK's HttpServer
 * ({@link io.vtbridge.samples.jobqueue.JobServer}) and a connection per thread over plain sockets
 * ({@link io.vtbridge.samples.jobqueue.LeanHttpServer}), run on a 16-thread fixed pool and on a
 * bridge in the same run; thousands of long-poll clients from a child JVM; the threads, heap and list
 * latency while they wait.
 */
package io.vtbridge.samples.jobqueue;
