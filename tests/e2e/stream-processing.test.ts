import { streamProcessingScenario } from '../support/stream-scenario.js';

streamProcessingScenario('embedded');
