/** The store's server cannot be reached: requests are answered 503 temporarily_unavailable, never crash. */
export class StoreUnavailableError extends Error {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, options);
    this.name = 'StoreUnavailableError';
  }
}
