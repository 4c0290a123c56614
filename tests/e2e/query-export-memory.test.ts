import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyStreamChain } from '@ccp/command-service';
import { DEMO_TENANT, seedDemo, streamProcessing } from '@ccp/infra';
import { queryApiModule } from '@ccp/query-api';
import { createProcessors } from '@ccp/stream-processors';
import { login, startTestPlatform, type TestPlatform } from '../support/platform.js';
import { loadSyntheticCalls } from '../support/synthetic-calls.js';

const CALLS = 1_000_000;
const MB = 1024 * 1024;
let test: TestPlatform;
let token: string;

beforeAll(async () => {
  const processing = streamProcessing(createProcessors());
  test = await startTestPlatform(undefined, {
    processing,
    modules: () => [queryApiModule(() => processing.readStore(), verifyStreamChain)],
  });
  await seedDemo(test.platform, 'demo-password-1');
  // A million calls of the demo tenant, written straight into the read store's calls table.
  await loadSyntheticCalls(processing.readStore(), {
    calls: CALLS,
    onlyTenant: DEMO_TENANT,
    tables: ['calls'],
  });
  token = await login(test.url, 'analyst@demo.example', 'demo-password-1');
}, 300_000);
afterAll(() => test?.stop());

describe('CSV export', () => {
  it('streams a million calls in bounded memory', { timeout: 600_000 }, async () => {
    // What the process holds, not garbage it has yet to collect: collect, then measure.
    v8.setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    gc();
    const baseline = process.memoryUsage();
    let peakHeap = baseline.heapUsed;
    let peakRss = baseline.rss;
    const sampler = setInterval(() => {
      gc();
      const now = process.memoryUsage();
      peakHeap = Math.max(peakHeap, now.heapUsed);
      peakRss = Math.max(peakRss, now.rss);
    }, 250);
    const started = performance.now();
    // Every call since long ago: the export's default range is the last 30 days.
    const response = await fetch(`${test.url}/api/exports/calls.csv?from=2000-01-01T00:00:00Z`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(response.status).toBe(200);
    // Count lines as the bytes arrive; the text is never kept.
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    let lines = 0;
    let bytes = 0;
    let first = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      bytes += value.length;
      if (first.length < 200) first += new TextDecoder().decode(value.subarray(0, 200));
      for (const byte of value) if (byte === 10) lines += 1;
    }
    clearInterval(sampler);
    const seconds = (performance.now() - started) / 1000;
    const heapGrowth = (peakHeap - baseline.heapUsed) / MB; // live objects only (sampled after a collection)
    console.log(
      `CSV export: ${lines.toLocaleString('en-US')} lines, ${(bytes / MB).toFixed(0)} MB in ${seconds.toFixed(1)} s; ` +
        `peak heap growth ${heapGrowth.toFixed(0)} MB, peak RSS ${(peakRss / MB).toFixed(0)} MB ` +
        `(from ${(baseline.rss / MB).toFixed(0)} MB; the embedded ClickHouse runs in this process too)`,
    );
    expect(first.split('\n')[0]).toMatch(/^callId,direction,status,from,to,/);
    expect(lines).toBe(CALLS + 1);
    // The file is hundreds of megabytes; what the process holds of it at any time is a batch or two.
    expect(bytes / MB).toBeGreaterThan(150);
    expect(heapGrowth).toBeLessThan(100);
  });
});
