// Security headers for the monitor page: a CSP that allows the page's own inline blocks (by hash), same-origin
// scripts, styles and modules (local JS, a charting library served by the gateway), and WebSockets to itself.

import { createHash } from 'node:crypto';

/** `'sha256-…'` sources for every inline <script> and <style> block of the page, so no 'unsafe-inline' is needed */
function inlineHashes(html: string, tag: 'script' | 'style'): string[] {
  const out: string[] = [];
  const re = new RegExp(`<${tag}(\\s[^>]*)?>([\\s\\S]*?)</${tag}>`, 'gi');
  for (const m of html.matchAll(re)) {
    if (/\ssrc\s*=/i.test(m[1] ?? '')) continue;
    out.push(`'sha256-${createHash('sha256').update(m[2]!, 'utf8').digest('base64')}'`);
  }
  return out;
}

/** a Host header value safe to put into a header (anything else falls back to 'self' only) */
const HOST = /^[A-Za-z0-9.-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$/;

/** Builds the header set once per page text; `forHost` adds the page's own ws:// and wss:// origin. */
export function pageHeaders(html: string): (host: string | undefined) => Record<string, string> {
  const scripts = inlineHashes(html, 'script').join(' ');
  const styles = inlineHashes(html, 'style').join(' ');
  return (host) => {
    // 'self' covers same-origin ws:/wss: in current browsers; the explicit origins cover older ones
    const ws = host && HOST.test(host) ? ` ws://${host} wss://${host}` : '';
    const csp = [
      "default-src 'self'",
      `script-src 'self' ${scripts}`.trimEnd(),
      `style-src 'self' ${styles}`.trimEnd(),
      "img-src 'self' data:",
      "font-src 'self'",
      `connect-src 'self'${ws}`,
      "object-src 'none'",
      "base-uri 'none'",
      "form-action 'self'",
      "frame-ancestors 'none'",
    ].join('; ');
    return {
      'content-security-policy': csp,
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'DENY',
      'referrer-policy': 'no-referrer',
      'cross-origin-opener-policy': 'same-origin',
      'permissions-policy': 'camera=(), microphone=(), geolocation=()',
    };
  };
}
