const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

/**
 * The `Intl` formatter of an IANA time zone (`Asia/Tokyo`, `UTC`), or `undefined` when the name is
 * not one Node's ICU data knows.
 */
export function zoneFormatter(timeZone: string): Intl.DateTimeFormat | undefined {
  try {
    return new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      timeZoneName: 'short',
    });
  } catch {
    return undefined;
  }
}

/**
 * Python's `strftime` over `Intl`: the wall-clock fields of `date` in the formatter's time zone,
 * rendered through `%` directives in English (the C locale). Supported: %a %A %b %B %d %e %F %H
 * %I %j %m %M %p %S %T %u %w %y %Y %z %Z %%; any other directive is left as written. `%Z` is
 * ICU's short zone name (`UTC`, `EST`, `GMT+9`), which can differ from Python's (`JST`).
 */
export function strftime(date: Date, format: string, formatter: Intl.DateTimeFormat): string {
  const parts: Partial<Record<Intl.DateTimeFormatPartTypes, string>> = {};
  for (const part of formatter.formatToParts(date)) parts[part.type] = part.value;
  const year = Number(parts.year);
  const month = Number(parts.month);
  const day = Number(parts.day);
  const hour = Number(parts.hour) % 24;
  const minute = Number(parts.minute);
  const second = Number(parts.second);

  const midnight = Date.UTC(year, month - 1, day);
  const weekday = new Date(midnight).getUTCDay();
  const dayOfYear = Math.round((midnight - Date.UTC(year, 0, 1)) / 86_400_000) + 1;
  // The offset is the wall clock read as UTC minus the instant, both to the whole second.
  const wall = Date.UTC(year, month - 1, day, hour, minute, second);
  const offsetMinutes = Math.round((wall - Math.floor(date.getTime() / 1000) * 1000) / 60_000);

  const pad = (value: number, width = 2) => String(value).padStart(width, '0');
  const hour12 = hour % 12 === 0 ? 12 : hour % 12;
  const offset = `${offsetMinutes < 0 ? '-' : '+'}${pad(Math.floor(Math.abs(offsetMinutes) / 60))}${pad(Math.abs(offsetMinutes) % 60)}`;

  const directives: Record<string, () => string> = {
    a: () => WEEKDAYS[weekday].slice(0, 3),
    A: () => WEEKDAYS[weekday],
    b: () => MONTHS[month - 1].slice(0, 3),
    B: () => MONTHS[month - 1],
    d: () => pad(day),
    e: () => String(day).padStart(2, ' '),
    F: () => `${pad(year, 4)}-${pad(month)}-${pad(day)}`,
    H: () => pad(hour),
    I: () => pad(hour12),
    j: () => pad(dayOfYear, 3),
    m: () => pad(month),
    M: () => pad(minute),
    p: () => (hour < 12 ? 'AM' : 'PM'),
    S: () => pad(second),
    T: () => `${pad(hour)}:${pad(minute)}:${pad(second)}`,
    u: () => String(weekday === 0 ? 7 : weekday),
    w: () => String(weekday),
    y: () => pad(year % 100),
    Y: () => pad(year, 4),
    z: () => offset,
    Z: () => parts.timeZoneName ?? offset,
    '%': () => '%',
  };
  return format.replace(/%(.)/gs, (directive: string, letter: string) => directives[letter]?.() ?? directive);
}
