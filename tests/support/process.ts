import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

export interface PlatformProcess {
  readonly url: string;
  readonly child: ChildProcess;
  /** Resolves with the exit code (or signal) once the process is gone. */
  readonly exited: Promise<number | string | null>;
  output(): string;
}

/**
 * Starts the platform as `npm start` runs it (infra/platform/main.ts under Node with tsx), as its own OS
 * process, and waits for it to say where it listens.
 */
export const spawnPlatform = async (env: Record<string, string>): Promise<PlatformProcess> => {
  const root = process.cwd();
  const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'infra/platform/main.ts')], {
    cwd: root,
    env: { ...process.env, HOST: '127.0.0.1', PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<number | string | null>((resolve) =>
    child.on('exit', (code, signal) => resolve(code ?? signal)),
  );
  const url = await new Promise<string>((resolve, reject) => {
    // Generous: on a loaded two-core machine a cold start (tsx, chdb, migrations) has taken 48 s.
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`platform did not start:\n${output}`));
    }, 90_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /running at (http:\/\/\S+)/.exec(output);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`platform exited (${String(code)}) before it started:\n${output}`));
    });
  });
  return { url, child, exited, output: () => output };
};
