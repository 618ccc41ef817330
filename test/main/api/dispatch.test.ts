import { describe, expect, it } from 'vitest';
import { ApiError } from '../../../main/api/api-error.js';
import { apiMethods, type ApiHandlers } from '../../../common/contract/index.js';
import { dispatchApiCall } from '../../../main/api/dispatch.js';

function recordingHandlers(calls: Array<[string, unknown]>): ApiHandlers {
  return Object.fromEntries(
    Object.keys(apiMethods).map((method) => [
      method,
      async (input: unknown) => (calls.push([method, input]), { echoed: input }),
    ]),
  ) as unknown as ApiHandlers;
}

describe('dispatchApiCall', () => {
  it('applies the contract defaults before the handler runs', async () => {
    const calls: Array<[string, unknown]> = [];
    await dispatchApiCall(recordingHandlers(calls), 'engine.selfcheck', {});
    expect(calls).toEqual([['engine.selfcheck', { iterations: 60, matrixSize: 256 }]]);
  });

  it.each([
    ['engine.selfcheck', { iterations: 'many' }],
    ['engine.selfcheck', { iterations: 0 }],
    ['engine.selfcheck', { iterations: 5, unexpected: true }],
    ['jobs.get', {}],
    ['jobs.get', { jobId: '' }],
    ['jobs.list', { limit: 10_000 }],
    ['app.info', { anything: 1 }],
    ['app.info', 'a string'],
    ['app.info', [1, 2]],
  ])('rejects invalid input for %s %j without calling the handler', async (method, input) => {
    const calls: Array<[string, unknown]> = [];
    const failure = dispatchApiCall(recordingHandlers(calls), method, input);
    await expect(failure).rejects.toBeInstanceOf(ApiError);
    await expect(failure).rejects.toMatchObject({ kind: 'invalid-input' });
    expect(calls).toEqual([]);
  });

  it.each(['nope', '__proto__', 'constructor', 'toString'])('refuses the unknown method %s', async (method) => {
    const calls: Array<[string, unknown]> = [];
    await expect(dispatchApiCall(recordingHandlers(calls), method, {})).rejects.toMatchObject({
      kind: 'unknown-method',
    });
    expect(calls).toEqual([]);
  });

  it('names the offending field in the message', async () => {
    await expect(dispatchApiCall(recordingHandlers([]), 'engine.selfcheck', { matrixSize: 4 })).rejects.toThrow(
      /matrixSize/,
    );
  });
});
