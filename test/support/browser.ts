import type { FastifyInstance, LightMyRequestResponse } from 'fastify';

/**
 * A browser stand-in over app.inject(): keeps cookies (honouring Max-Age and deletion), follows
 * redirects on request, and reads form fields out of pages, so tests walk the screens as a user does.
 */
export class Browser {
  readonly cookies = new Map<string, string>();

  constructor(
    private readonly app: FastifyInstance,
    private readonly origin = 'http://understudy.test',
    /** The client address the server sees (app.inject's remoteAddress). */
    private readonly remoteAddress = '127.0.0.1',
  ) {}

  private cookieHeader(): string | undefined {
    if (!this.cookies.size) return undefined;
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  private remember(response: LightMyRequestResponse): void {
    for (const cookie of response.cookies as { name: string; value: string; maxAge?: number; expires?: Date }[]) {
      const expired = cookie.maxAge === 0 || (cookie.expires !== undefined && cookie.expires.getTime() <= Date.now() && cookie.maxAge === undefined);
      if (expired || cookie.value === '') this.cookies.delete(cookie.name);
      else this.cookies.set(cookie.name, cookie.value);
    }
  }

  /** Path and query of a URL on this server; undefined for another origin. */
  local(url: string): string | undefined {
    const parsed = new URL(url, this.origin);
    return parsed.origin === new URL(this.origin).origin ? `${parsed.pathname}${parsed.search}` : undefined;
  }

  async get(url: string, headers: Record<string, string> = {}): Promise<LightMyRequestResponse> {
    const cookie = this.cookieHeader();
    const response = await this.app.inject({ method: 'GET', url, remoteAddress: this.remoteAddress, headers: { ...headers, ...(cookie ? { cookie } : {}) } });
    this.remember(response);
    return response;
  }

  async post(url: string, form: Record<string, string>): Promise<LightMyRequestResponse> {
    const cookie = this.cookieHeader();
    const response = await this.app.inject({
      method: 'POST',
      url,
      remoteAddress: this.remoteAddress,
      payload: new URLSearchParams(form).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...(cookie ? { cookie } : {}) },
    });
    this.remember(response);
    return response;
  }

  /** Follows 302s on this server; stops at the first non-redirect or at a redirect to another origin. */
  async follow(response: LightMyRequestResponse, max = 10): Promise<{ response: LightMyRequestResponse; location?: string }> {
    let current = response;
    for (let i = 0; i < max && current.statusCode >= 300 && current.statusCode < 400; i++) {
      const location = String(current.headers.location);
      const path = this.local(location);
      if (!path) return { response: current, location };
      current = await this.get(path);
    }
    return { response: current };
  }
}

/** The value of a hidden or text input in an HTML page. */
export function inputValue(html: string, name: string): string | undefined {
  const match = new RegExp(`<input[^>]*name="${name}"[^>]*value="([^"]*)"`).exec(html);
  return match?.[1] === undefined ? undefined : decodeEntities(match[1]);
}

/** The text of the role="alert" element, if the page has one. */
export function alertText(html: string): string | undefined {
  const match = /role="alert"[^>]*>([\s\S]*?)<\/div>/.exec(html);
  return match?.[1] === undefined ? undefined : decodeEntities(match[1].replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').replace('⚠', '').trim());
}

export function decodeEntities(text: string): string {
  return text
    .replace(/&#39;/g, "'")
    .replace(/&#x27;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}
