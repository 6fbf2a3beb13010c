/** An absolute http(s) URL: where a link's screen may send the user afterwards (an email template's or ticket's result URL). */
export function isWebUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:';
  } catch {
    return false;
  }
}
