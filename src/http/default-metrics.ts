// prom-client's default process metrics (CPU, memory, heap spaces, event
// loop lag, handles, file descriptors, version), all but one:
// `nodejs_gc_duration_seconds`. It observes every garbage collection through
// perf_hooks, and Node builds a PerformanceEntry (with deprecation wrappers)
// for each one, ~40 a second under full load, delivered later, so they
// outlive the young generation: a third of everything the router promoted
// to the old generation, and old space grew by that until a full collection
// (README, "The router's cost per request"). prom-client has no switch for
// one default metric, so the others are registered here one by one, each
// with the call collectDefaultMetrics makes (its metric list is pinned with
// the package: test/http/default-metrics.test.ts checks the names).
import type { Registry } from 'prom-client';
import eventLoopLag from 'prom-client/lib/metrics/eventLoopLag.js';
import heapSizeAndUsed from 'prom-client/lib/metrics/heapSizeAndUsed.js';
import heapSpacesSizeAndUsed from 'prom-client/lib/metrics/heapSpacesSizeAndUsed.js';
import osMemoryHeap from 'prom-client/lib/metrics/osMemoryHeap.js';
import processCpuTotal from 'prom-client/lib/metrics/processCpuTotal.js';
import processHandles from 'prom-client/lib/metrics/processHandles.js';
import processMaxFileDescriptors from 'prom-client/lib/metrics/processMaxFileDescriptors.js';
import processOpenFileDescriptors from 'prom-client/lib/metrics/processOpenFileDescriptors.js';
import processRequests from 'prom-client/lib/metrics/processRequests.js';
import processResources from 'prom-client/lib/metrics/processResources.js';
import processStartTime from 'prom-client/lib/metrics/processStartTime.js';
import version from 'prom-client/lib/metrics/version.js';

/** The default metrics left out, by name. */
export const LEFT_OUT_DEFAULT_METRICS = ['nodejs_gc_duration_seconds'] as const;

const METRICS = [processCpuTotal, processStartTime, osMemoryHeap, processOpenFileDescriptors, processMaxFileDescriptors, eventLoopLag, processResources, processHandles, processRequests, heapSizeAndUsed, heapSpacesSizeAndUsed, version];

export function registerDefaultMetrics(registry: Registry): void {
  // The config collectDefaultMetrics passes (its default event-loop precision, 10 ms).
  const config = { register: registry, eventLoopMonitoringPrecision: 10 };
  for (const metric of METRICS) metric(registry, config);
}
