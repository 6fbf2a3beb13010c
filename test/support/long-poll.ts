/**
 * Waits until the server holds a long poll open (GET /_dev/api/messages/waiting), so a test that
 * sends a message next knows the poll is already listening for it, instead of guessing with a sleep.
 * `read` asks one server for its count (through app.inject or fetch).
 */
export async function untilPollWaits(read: () => Promise<number>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while ((await read()) < 1) {
    if (Date.now() > deadline) throw new Error(`no long poll was waiting after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** The count over HTTP, for a listening server. */
export const waitingAt = (base: string, headers: Record<string, string> = {}) => async (): Promise<number> =>
  ((await (await fetch(`${base}/_dev/api/messages/waiting`, { headers })).json()) as { waiting: number }).waiting;
