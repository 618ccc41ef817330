// Errors that cross a transport carry a kind the transport maps to its own terms (HTTP status, CLI exit code).
export type ApiErrorKind = 'invalid-input' | 'not-found' | 'conflict' | 'unknown-method' | 'internal';

export class ApiError extends Error {
  constructor(
    readonly kind: ApiErrorKind,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export const httpStatusOfErrorKind: Record<ApiErrorKind, number> = {
  'invalid-input': 400,
  'unknown-method': 404,
  'not-found': 404,
  conflict: 409,
  internal: 500,
};

export function toApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  return new ApiError('internal', error instanceof Error ? error.message : String(error));
}
