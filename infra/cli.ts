/**
 * Runs an infra command line (infra/<engine>/cli.ts): its exit code is the process's, and a failure is one line
 * on stderr (the message, not a stack: these errors say what to do) with exit code 1.
 */
export const runCli = (main: () => Promise<number>): void => {
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(error instanceof Error ? error.message : error);
      process.exit(1);
    },
  );
};
