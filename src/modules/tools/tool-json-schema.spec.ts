import { toolSpecOf } from './tool-json-schema';
import type { ToolDescription } from './tool.types';

describe('toolSpecOf', () => {
  const tool: ToolDescription = {
    name: 'current_time',
    label: { en_US: 'Current time' },
    description: { human: { en_US: 'Tells the time' }, llm: 'Returns the current time in a timezone.' },
    parameters: [
      {
        name: 'timezone',
        type: 'string',
        required: false,
        label: { en_US: 'Timezone' },
        llm_description: 'An IANA timezone',
        form: 'llm',
      },
      {
        name: 'unit',
        type: 'select',
        required: true,
        label: { en_US: 'Unit' },
        human_description: { en_US: 'The unit' },
        form: 'schema',
        options: [
          { value: 'c', label: { en_US: 'C' } },
          { value: 'f', label: { en_US: 'F' } },
        ],
      },
      { name: 'days', type: 'number', required: true, label: { en_US: 'Days' }, form: 'llm' },
      { name: 'verbose', type: 'boolean', required: false, label: { en_US: 'Verbose' }, form: 'llm' },
      { name: 'api_region', type: 'string', required: true, label: { en_US: 'Region' }, form: 'form' },
    ],
  };

  it('shows the model the parameters it fills, as a JSON Schema object, and never the form ones', () => {
    expect(toolSpecOf('now', tool)).toEqual({
      name: 'now',
      description: 'Returns the current time in a timezone.',
      parameters: {
        type: 'object',
        properties: {
          timezone: { type: 'string', description: 'An IANA timezone' },
          unit: { type: 'string', description: 'The unit', enum: ['c', 'f'] },
          days: { type: 'number', description: '' },
          verbose: { type: 'boolean', description: '' },
        },
        required: ['unit', 'days'],
      },
    });
  });

  it('falls back to the human description when there is no LLM one', () => {
    expect(toolSpecOf('t', { ...tool, description: { human: { en_US: 'Human words' }, llm: '' } }).description).toBe(
      'Human words',
    );
  });
});
