import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/** infra/llama/kill-on-term.sh, run as llama-server.ts runs it (the wait loop is infra/shell/wait-for.sh). */
const killOnTerm = fileURLToPath(new URL('../../infra/llama/kill-on-term.sh', import.meta.url));

const run = (args: readonly string[]) => {
  const child = spawn('sh', [killOnTerm, ...args], { stdio: 'ignore' });
  child.on('error', (error) => {
    throw error;
  });
  return { child, exited: once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]> };
};

describe('kill-on-term.sh', () => {
  it('exits with its command’s status', async () => {
    const { exited } = run(['sh', '-c', 'exit 3']);
    expect((await exited)[0]).toBe(3);
  });

  it('stops its command on SIGTERM and exits 143 (sleep itself would exit 0 after 30 s)', async () => {
    const { child, exited } = run(['sleep', '30']);
    await new Promise((resolve) => setTimeout(resolve, 300));
    child.kill('SIGTERM');
    expect((await exited)[0]).toBe(143);
  });
});
