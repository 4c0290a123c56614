import { collectDefaultMetrics, Registry } from 'prom-client';

/**
 * The platform's metrics registry: one per running platform, never prom-client's global default, so that two
 * platforms in one process (tests do that) each expose their own figures. Every building block registers its own
 * metrics on it through the PlatformContext; `GET /metrics` serves it in Prometheus's text format.
 */
export type MetricsRegistry = Registry;

/** A registry with Node's process metrics (CPU, memory, event loop, GC) under their standard names. */
export const createMetricsRegistry = (): MetricsRegistry => {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return registry;
};

/**
 * Buckets (seconds) for work done inside the process, a store round trip at most: from 0.5 ms to 10 s.
 * Prometheus's defaults start at 5 ms, which hides an SQLite append.
 */
export const FAST_SECONDS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** Buckets (seconds) for what a caller waits on: a model's answer, speech, a provider (0.05 s to 60 s). */
export const VOICE_SECONDS = [0.05, 0.1, 0.25, 0.5, 0.75, 1, 1.5, 2, 3, 5, 8, 13, 20, 30, 60];
