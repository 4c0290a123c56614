import type { Decider } from '../decider.js';
import { advanceCampaign, recordDialOutcome, recordDialPlacement } from './dialing.js';
import { evolve } from './evolve.js';
import {
  cancelCampaign,
  commitLeadImport,
  createCampaign,
  eraseCampaignLeads,
  pauseCampaign,
  resumeCampaign,
  scheduleCallbackDial,
  scheduleCampaign,
  stageLeads,
  updateCampaign,
} from './lifecycle.js';
import {
  initialCampaignState,
  type CampaignCommand,
  type CampaignEvent,
  type CampaignState,
} from './state.js';

export const decide = (command: CampaignCommand, state: CampaignState): CampaignEvent[] => {
  switch (command.type) {
    case 'CreateCampaign':
      return createCampaign(command, state);
    case 'UpdateCampaign':
      return updateCampaign(command, state);
    case 'ScheduleCampaign':
      return scheduleCampaign(state);
    case 'PauseCampaign':
      return pauseCampaign(command, state);
    case 'ResumeCampaign':
      return resumeCampaign(state);
    case 'CancelCampaign':
      return cancelCampaign(command, state);
    case 'StageLeads':
      return stageLeads(command, state);
    case 'CommitLeadImport':
      return commitLeadImport(command, state);
    case 'ScheduleCallbackDial':
      return scheduleCallbackDial(command, state);
    case 'EraseCampaignLeads':
      return eraseCampaignLeads(command, state);
    case 'AdvanceCampaign':
      return advanceCampaign(command, state);
    case 'RecordDialPlacement':
      return recordDialPlacement(command, state);
    case 'RecordDialOutcome':
      return recordDialOutcome(command, state);
  }
};

/** One campaign stream: its settings, lifecycle, leads and dial attempts (see schemas/src/campaign.ts). */
export const campaignDecider: Decider<CampaignCommand, CampaignEvent, CampaignState> = {
  initialState: initialCampaignState,
  decide,
  evolve,
};
