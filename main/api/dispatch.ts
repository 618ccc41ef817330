import { z } from 'zod';
import { ApiError } from './api-error.js';
import {
  apiMethods,
  isApiMethodName,
  type ApiHandlers,
  type ApiMethodName,
  type ApiOutput,
} from '../../common/contract/index.js';

/**
 * The single entry every transport uses: checks the method name and validates the untrusted payload against the
 * contract before any handler runs, so an invalid call changes nothing.
 */
export async function dispatchApiCall(handlers: ApiHandlers, method: string, payload: unknown): Promise<unknown> {
  if (!isApiMethodName(method)) throw new ApiError('unknown-method', `Unknown API method "${method}".`);
  const parsed = apiMethods[method].input.safeParse(payload ?? {});
  if (!parsed.success) {
    throw new ApiError(
      'invalid-input',
      `Invalid input for ${method}: ${z.prettifyError(parsed.error).replaceAll('\n', ' ')}`,
    );
  }
  const handler = handlers[method] as (input: unknown) => Promise<ApiOutput<ApiMethodName>>;
  return handler(parsed.data);
}
