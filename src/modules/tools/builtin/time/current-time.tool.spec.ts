import { LoopbackHttp } from '../../../../../test/support/loopback-http';
import { ToolError, type Tool } from '../../tool.types';
import { builtinToolProviders } from '../builtin-tool-providers';

const context = { workspaceId: 'ws-1' };

function currentTimeAt(iso: string): Tool {
  const providers = builtinToolProviders(new LoopbackHttp(), { now: () => new Date(iso) });
  return providers.find((p) => p.name === 'time')!.tools[0];
}

async function text(tool: Tool, params: Record<string, unknown>): Promise<string> {
  const messages = await tool.invoke(params, context);
  expect(messages).toHaveLength(1);
  expect(messages[0].type).toBe('text');
  return (messages[0] as { text: string }).text;
}

describe('current_time', () => {
  // A Sunday, the 70th day of 2024 (a leap year), after the US switched to daylight saving time.
  const tool = currentTimeAt('2024-03-10T15:04:05.678Z');

  it('defaults to UTC and "%Y-%m-%d %H:%M:%S %Z"', async () => {
    expect(await text(tool, {})).toBe('2024-03-10 15:04:05 UTC');
  });

  it('renders the wall clock of an IANA time zone with its offset', async () => {
    expect(await text(tool, { timezone: 'Asia/Tokyo', format: '%Y-%m-%d %H:%M:%S %z' })).toBe(
      '2024-03-11 00:04:05 +0900',
    );
    expect(await text(tool, { timezone: 'Asia/Kolkata', format: '%H:%M %z' })).toBe('20:34 +0530');
    expect(await text(tool, { timezone: 'America/New_York', format: '%A %a %B %b %d %j %I:%M:%S %p %Z %z' })).toBe(
      'Sunday Sun March Mar 10 070 11:04:05 AM EDT -0400',
    );
    expect(await text(tool, { timezone: 'America/Los_Angeles', format: '%F %T %Z' })).toBe('2024-03-10 08:04:05 PDT');
  });

  it('supports the 12-hour clock, day of year, short forms and literal percent signs', async () => {
    expect(await text(currentTimeAt('2024-12-31T00:30:00Z'), { format: '%I %p %j %y %e %u %w' })).toBe(
      '12 AM 366 24 31 2 2',
    );
    expect(await text(currentTimeAt('2024-07-04T13:05:09Z'), { format: '%I:%M %p, %d %B' })).toBe('01:05 PM, 04 July');
    expect(await text(tool, { format: '100%% at %H, %Q unknown, trailing %' })).toBe(
      '100% at 15, %Q unknown, trailing %',
    );
  });

  it('reads the clock at each call', async () => {
    let now = new Date('2024-01-01T00:00:00Z');
    const [timeTool] = builtinToolProviders(new LoopbackHttp(), { now: () => now }).find(
      (p) => p.name === 'time',
    )!.tools;
    expect(await text(timeTool, { format: '%T' })).toBe('00:00:00');
    now = new Date('2024-01-01T00:00:42Z');
    expect(await text(timeTool, { format: '%T' })).toBe('00:00:42');
  });

  it('rejects an unknown time zone, naming it', async () => {
    await expect(tool.invoke({ timezone: 'Mars/Olympus_Mons' }, context)).rejects.toThrow(ToolError);
    await expect(tool.invoke({ timezone: 'Mars/Olympus_Mons' }, context)).rejects.toThrow(
      'current_time: unknown timezone "Mars/Olympus_Mons": give an IANA time zone name like UTC, Europe/Berlin or Asia/Tokyo',
    );
    await expect(tool.invoke({ timezone: 'GMT+25' }, context)).rejects.toThrow('unknown timezone "GMT+25"');
  });
});
