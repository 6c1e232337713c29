import { MailError, MailErrorCode } from './mail.errors';

// Deliberately plain: local part and a dotted domain, no spaces, no display-name tricks. The
// SMTP server has the final word; this stops obvious mistakes before a job is queued.
const ADDRESS =
  /^[^\s@<>(),;:"[\]\\]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/;
// "Name <address>" as a sender.
const NAMED = /^\s*"?([^"<>]*)"?\s*<([^<>]+)>\s*$/;

export function assertValidAddress(address: string, field: string): string {
  const bare = NAMED.exec(address)?.[2] ?? address;
  if (typeof address !== 'string' || address.length > 320 || !ADDRESS.test(bare.trim())) {
    throw new MailError(MailErrorCode.InvalidAddress, `Invalid ${field} address ${JSON.stringify(address)}`);
  }
  return address.trim();
}

export function addressList(value: string | string[] | undefined, field: string): string[] {
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value]).map((a) => assertValidAddress(a, field));
}
