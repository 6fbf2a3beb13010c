import { expect } from 'vitest';
import { ManagementError } from 'auth0';

/** What node-auth0 threw, as a ManagementError (fails the test when it did not throw). */
export async function managementRejection(promise: Promise<unknown>): Promise<ManagementError> {
  const error = await promise.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(error).toBeInstanceOf(ManagementError);
  return error as ManagementError;
}
