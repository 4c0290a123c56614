import { streamProcessingScenario } from '../support/stream-scenario.js';

streamProcessingScenario('kafka');
