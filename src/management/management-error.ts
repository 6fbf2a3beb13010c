/** Errors of the Management API, in its own wire shape: `{statusCode, error, message, errorCode}`. */
const reasons: Record<number, string> = {
  400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 409: 'Conflict', 413: 'Payload Too Large', 415: 'Unsupported Media Type', 429: 'Too Many Requests',
};

export class ManagementError extends Error {
  readonly statusCode: number;
  readonly errorCode: string;

  constructor(statusCode: number, message: string, errorCode: string) {
    super(message);
    this.name = 'ManagementError';
    this.statusCode = statusCode;
    this.errorCode = errorCode;
  }

  toJSON(): { statusCode: number; error: string; message: string; errorCode: string } {
    return { statusCode: this.statusCode, error: reasons[this.statusCode] ?? 'Error', message: this.message, errorCode: this.errorCode };
  }
}

export const userNotFound = (): ManagementError => new ManagementError(404, 'The user does not exist.', 'inexistent_user');
export const badRequest = (message: string): ManagementError => new ManagementError(400, message, 'invalid_body');
