import { describe, expect, it } from 'vitest';
import { fillVariables, leadVariables } from './lead-variables.js';

describe('lead variables in what a campaign call says', () => {
  it('fills known variables and leaves nothing of unknown ones', () => {
    const vars = { first_name: 'Ana', plan: 'Gold' };
    expect(fillVariables('Hi {{first_name}}, about your {{ plan }} plan.', vars)).toBe(
      'Hi Ana, about your Gold plan.',
    );
    expect(fillVariables('Hi {{first_name}} {{last_name}}, welcome!', vars)).toBe('Hi Ana, welcome!');
    expect(fillVariables('Hello {{nickname}}!', {})).toBe('Hello!');
  });

  it('takes name and first name from the lead when the import had no such column', () => {
    expect(leadVariables({ name: 'Ana Lopez', variables: { plan: 'Gold' } })).toEqual({
      plan: 'Gold',
      name: 'Ana Lopez',
      first_name: 'Ana',
    });
    expect(leadVariables({ name: 'Ana Lopez', variables: { first_name: 'Anita' } })).toMatchObject({
      first_name: 'Anita',
    });
    expect(leadVariables({ variables: {} })).toEqual({});
  });
});
