import { createHash } from 'node:crypto';

/** The partition of a key: stable across processes and restarts, so a stream always lands in the same one. */
export const partitionOf = (key: string, partitions: number): number =>
  createHash('md5').update(key).digest().readUInt32BE(0) % partitions;
