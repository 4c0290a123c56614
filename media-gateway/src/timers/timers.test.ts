import { afterEach, describe, expect, it, vi } from 'vitest';
import { startTimers, type Timers } from './timers.js';

const T0 = Date.parse('2026-03-02T09:00:00Z');

const setup = (onDue: (key: string) => Promise<void>, pollMs = 5) => {
  let at = T0;
  const logged: string[] = [];
  const timers = startTimers({
    now: () => new Date(at),
    onDue,
    log: (m) => logged.push(m),
    pollMs,
    retryMs: 1000,
  });
  const advance = (ms: number) => {
    at += ms;
    timers.poke();
  };
  return { timers, advance, logged, at: (ms: number) => new Date(T0 + ms) };
};

let current: Timers | undefined;
afterEach(async () => {
  await current?.stop();
  current = undefined;
});

describe('timers', () => {
  it('fires each key when the clock reaches its due time, earliest first, and not before', async () => {
    const fired: string[] = [];
    const t = setup(async (key) => void fired.push(key));
    current = t.timers;
    t.timers.schedule('b', t.at(2000));
    t.timers.schedule('a', t.at(1000));
    t.timers.schedule('c', t.at(3000));
    await new Promise((r) => setTimeout(r, 30));
    expect(fired).toEqual([]);
    t.advance(1000);
    await vi.waitFor(() => expect(fired).toEqual(['a']));
    t.advance(5000);
    await vi.waitFor(() => expect(fired).toEqual(['a', 'b', 'c']));
    expect(t.timers.size()).toBe(0);
  });

  it('notices a clock moved forward within one poll, without poke', async () => {
    let at = T0;
    const fired: string[] = [];
    current = startTimers({
      now: () => new Date(at),
      onDue: async (k) => void fired.push(k),
      log: () => {},
      pollMs: 10,
    });
    current.schedule('x', new Date(T0 + 60_000));
    at += 60_000;
    await vi.waitFor(() => expect(fired).toEqual(['x']));
  });

  it('rescheduling replaces the due time; a cancelled key never fires', async () => {
    const fired: string[] = [];
    const t = setup(async (key) => void fired.push(key));
    current = t.timers;
    t.timers.schedule('a', t.at(1000));
    t.timers.schedule('a', t.at(5000));
    t.timers.schedule('b', t.at(1000));
    t.timers.cancel('b');
    expect(t.timers.dueAt('a')).toEqual(t.at(5000));
    t.advance(2000);
    await new Promise((r) => setTimeout(r, 30));
    expect(fired).toEqual([]);
    t.advance(3000);
    await vi.waitFor(() => expect(fired).toEqual(['a']));
    await new Promise((r) => setTimeout(r, 30));
    expect(fired).toEqual(['a']);
  });

  it('logs a failing callback and tries the key again after the retry pause', async () => {
    let calls = 0;
    const t = setup(async () => {
      calls += 1;
      if (calls === 1) throw new Error('provider down');
    });
    current = t.timers;
    t.timers.schedule('m', t.at(0));
    t.advance(0);
    await vi.waitFor(() => expect(calls).toBe(1));
    await vi.waitFor(() => expect(t.logged.join()).toMatch(/m failed.*provider down/));
    expect(t.timers.dueAt('m')).toEqual(t.at(1000));
    t.advance(1000);
    await vi.waitFor(() => expect(calls).toBe(2));
    expect(t.timers.size()).toBe(0);
  });

  it('never runs two callbacks for one key at once: a key due again while it runs fires after it', async () => {
    let active = 0;
    let most = 0;
    let calls = 0;
    let release: () => void = () => {};
    const t = setup(async () => {
      calls += 1;
      active += 1;
      most = Math.max(most, active);
      if (calls === 1) await new Promise<void>((r) => (release = r));
      active -= 1;
    });
    current = t.timers;
    t.timers.schedule('k', t.at(0));
    t.advance(0);
    await vi.waitFor(() => expect(calls).toBe(1));
    t.timers.schedule('k', t.at(0));
    t.advance(10);
    await new Promise((r) => setTimeout(r, 30));
    expect(calls).toBe(1);
    release();
    await vi.waitFor(() => expect(calls).toBe(2));
    expect(most).toBe(1);
  });

  it('stop waits for running callbacks and fires nothing after', async () => {
    const fired: string[] = [];
    let started = false;
    let release: () => void = () => {};
    const t = setup(async (key) => {
      started = true;
      if (key === 'slow') await new Promise<void>((r) => (release = r));
      fired.push(key);
    });
    t.timers.schedule('slow', t.at(0));
    t.timers.schedule('later', t.at(1000));
    t.advance(0);
    await vi.waitFor(() => expect(started).toBe(true));
    const stopping = t.timers.stop();
    release();
    await stopping;
    t.advance(5000);
    await new Promise((r) => setTimeout(r, 30));
    expect(fired).toEqual(['slow']);
  });

  it('keeps the heap order over many keys', async () => {
    const fired: number[] = [];
    const t = setup(async (key) => void fired.push(Number(key)));
    current = t.timers;
    const order = Array.from({ length: 200 }, (_, i) => (i * 7919) % 200);
    for (const i of order) t.timers.schedule(String(i), t.at(i * 10));
    t.advance(10_000);
    await vi.waitFor(() => expect(fired).toHaveLength(200));
    expect(fired).toEqual([...fired].sort((a, b) => a - b));
  });
});
