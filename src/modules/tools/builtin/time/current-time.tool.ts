import { ToolError } from '../../tool.types';
import type { BuiltinToolDeps, BuiltinToolImplementation } from '../builtin-tool-provider';
import { strftime, zoneFormatter } from './strftime';

const MAX_FORMAT_LENGTH = 256;

/** `current_time(timezone, format)`: the time now in an IANA time zone, through strftime directives. */
export function currentTime({ now }: BuiltinToolDeps): BuiltinToolImplementation {
  return async (params) => {
    const timezone = (params.timezone as string).trim();
    const format = params.format as string;
    const formatter = zoneFormatter(timezone);
    if (!formatter) {
      throw new ToolError(
        `current_time: unknown timezone "${timezone}": give an IANA time zone name like UTC, Europe/Berlin or Asia/Tokyo`,
      );
    }
    if (format.length > MAX_FORMAT_LENGTH) {
      throw new ToolError(`current_time: the format is ${format.length} characters long; at most ${MAX_FORMAT_LENGTH}`);
    }
    return [{ type: 'text', text: strftime(now(), format, formatter) }];
  };
}
