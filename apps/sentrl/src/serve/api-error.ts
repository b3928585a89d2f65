/**
 * An OpenAI-style API error (docs/contracts.md §10): sent as `{"error": {"message", "type", "code", "param"}}` with
 * its HTTP status. The server answers every bad request with one and keeps serving.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly code: string,
    readonly param: string | null = null,
    readonly type = status >= 500 ? "server_error" : "invalid_request_error",
  ) {
    super(message);
    this.name = "ApiError";
  }

  /** The JSON body of the response. */
  body(): { error: { message: string; type: string; code: string; param: string | null } } {
    return { error: { message: this.message, type: this.type, code: this.code, param: this.param } };
  }
}

/** A 400 for the request field `param`. */
export function badParam(param: string, message: string): ApiError {
  return new ApiError(400, `${param}: ${message}`, "invalid_value", param);
}
