import { ensureUiBuilt } from '@ccp/ui';

/**
 * Builds the web console once, before any test file starts a platform: a build during the run would empty
 * ui/dist under the pages another browser test is loading.
 */
export default async function setup(): Promise<void> {
  await ensureUiBuilt({ log: (message) => console.log(message) });
}
