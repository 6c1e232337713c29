/** Following an SSO sign-in by hand: every redirect, with the cookies a browser would keep. */

export interface Hop {
  status: number;
  location: string;
  /** name → value of the cookies this response set (an empty value = cleared). */
  cookies: Record<string, string>;
  setCookie: string[];
}

export async function hop(url: string, cookies: Record<string, string> = {}): Promise<Hop> {
  const header = Object.entries(cookies)
    .map(([k, v]) => `${k}=${encodeURIComponent(v)}`)
    .join('; ');
  const res = await fetch(url, { redirect: 'manual', headers: header ? { Cookie: header } : {} });
  const setCookie = res.headers.getSetCookie();
  const parsed: Record<string, string> = {};
  for (const line of setCookie) {
    const [pair] = line.split(';');
    const eq = pair.indexOf('=');
    parsed[pair.slice(0, eq).trim()] = decodeURIComponent(pair.slice(eq + 1).trim());
  }
  await res.arrayBuffer();
  return { status: res.status, location: res.headers.get('location') ?? '', cookies: parsed, setCookie };
}

export interface SsoRun {
  /** Keel's redirect to the provider. */
  start: Hop;
  /** The provider's redirect back to Keel's callback. */
  provider: Hop;
  /** Keel's final redirect (the console, or its sign-in page with a message). */
  callback: Hop;
}

/** Keel → provider → Keel's callback, carrying Keel's state cookie as a browser would. */
export async function ssoLogin(baseUrl: string, provider: string, extraAuthorizeParams = ''): Promise<SsoRun> {
  const start = await hop(`${baseUrl}/console/api/oauth/login/${provider}`);
  if (start.status !== 302) throw new Error(`login answered ${start.status}`);
  const providerHop = await hop(start.location + extraAuthorizeParams);
  if (providerHop.status !== 302) throw new Error(`provider answered ${providerHop.status}`);
  // Keel's default CONSOLE_API_URL names localhost; the test app listens on 127.0.0.1 only.
  const callback = await hop(providerHop.location.replace('://localhost:', '://127.0.0.1:'), start.cookies);
  return { start, provider: providerHop, callback };
}

/** The message of a redirect to CONSOLE_WEB_URL/signin?message=… */
export function signinMessage(location: string): string | null {
  const url = new URL(location);
  return url.pathname.endsWith('/signin') ? url.searchParams.get('message') : null;
}
