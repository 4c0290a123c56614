import { ensureUiBuilt } from '@ccp/ui';

/**
 * Builds the web console once, before any test file starts a platform: a build during the run would empty
 * ui/dist under the pages another browser test is loading. A console that does not build fails the browser
 * tests (their harness builds it again and meets the same error), not the tests that never load it.
 */
export default async function setup(): Promise<void> {
  await ensureUiBuilt({ log: (message) => console.log(message) }).catch((error: unknown) => {
    console.error(`the web console does not build; browser tests will fail: ${String(error)}`);
  });
}
