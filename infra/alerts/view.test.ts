import { describe, expect, it } from 'vitest';
import type { AlertRule } from '@ccp/schemas';
import { step, type Watch } from './view.js';

/** A rule's evaluations over time: pending, firing, resolved, and a flapping figure that does neither. */
const lag: AlertRule = { name: 'Lag', kind: 'processor_lag', threshold: 10, forSeconds: 60, channels: [] };
const disk: AlertRule = { name: 'Disk', kind: 'disk_space', threshold: 1024, forSeconds: 0, channels: [] };

/** Runs the figures at the given seconds, firing state carried as the module carries it; answers transitions. */
const run = (rule: AlertRule, figures: readonly (readonly [number, number | undefined])[]) => {
  let watch: Watch = {};
  let firing = false;
  const transitions: string[] = [];
  for (const [second, value] of figures) {
    const next = step(rule, firing, value, second * 1000, watch);
    watch = next.watch;
    if (next.transition === 'fire') {
      firing = true;
      transitions.push(`fire@${second} since ${next.since / 1000}`);
    }
    if (next.transition === 'resolve') {
      firing = false;
      transitions.push(`resolve@${second}`);
    }
  }
  return transitions;
};

describe('alert evaluation', () => {
  it('fires once the figure stayed above the threshold for the whole for-duration, and resolves the same way', () => {
    expect(
      run(lag, [
        [0, 11],
        [30, 12],
        [59, 15],
        [60, 15],
        [90, 20],
        [100, 5],
        [159, 5],
        [160, 5],
        [200, 5],
      ]),
    ).toEqual(['fire@60 since 0', 'resolve@160']);
  });

  it('neither fires nor resolves on a figure that flaps within the for-duration', () => {
    const flapping = Array.from({ length: 20 }, (_, i) => [i * 10, i % 2 === 0 ? 50 : 1] as const);
    expect(run(lag, flapping)).toEqual([]);
    const firingThenFlapping = [
      [0, 50] as const,
      [60, 50] as const,
      ...flapping.map(([s, v]) => [s + 70, v] as const),
    ];
    expect(run(lag, firingThenFlapping)).toEqual(['fire@60 since 0']);
  });

  it('an unknown figure (its source failed) changes nothing, pending included', () => {
    expect(
      run(lag, [
        [0, 50],
        [30, undefined],
        [60, 50],
      ]),
    ).toEqual(['fire@60 since 0']);
  });

  it('disk space fires below its threshold; the threshold itself is not across', () => {
    expect(
      run(disk, [
        [0, 1024],
        [1, 1023],
        [2, 1023],
        [3, 2048],
      ]),
    ).toEqual(['fire@1 since 1', 'resolve@3']);
  });
});
