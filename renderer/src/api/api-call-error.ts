/** A failed API call as the renderer sees it, whichever transport carried it. */
export class ApiCallError extends Error {
  constructor(
    readonly kind: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiCallError';
  }
}

export type CallReply = { result: unknown } | { error: { kind: string; message: string } };

export function unwrapReply(reply: CallReply): unknown {
  if ('error' in reply) throw new ApiCallError(reply.error.kind, reply.error.message);
  return reply.result;
}
