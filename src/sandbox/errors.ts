import * as z from 'zod/mini';
import type { AvaraErrorBody } from '../contract/avara-error.ts';
import { fieldErrors } from '../contract/problem.ts';
import type { FieldError } from '../contract/problem.ts';

/** An error the sandbox answers on purpose, in the upstream's error shape (`{ message, code?, errors? }`). */
export class SandboxError extends Error {
  readonly statusCode: number;
  readonly body: AvaraErrorBody & { message: string };

  constructor(statusCode: number, body: AvaraErrorBody & { message: string }) {
    super(body.message);
    this.name = 'SandboxError';
    this.statusCode = statusCode;
    this.body = body;
  }
}

export function badRequest(message: string, errors?: FieldError[]): SandboxError {
  return new SandboxError(400, errors ? { message, errors } : { message });
}

export function notFound(message: string): SandboxError {
  return new SandboxError(404, { message });
}

export function conflict(message: string, extra: Omit<AvaraErrorBody, 'message'> = {}): SandboxError {
  return new SandboxError(409, { message, ...extra });
}

export const USER_NOT_FOUND = 'User not found';
export const INVITATION_NOT_FOUND = 'Invitation not found';

export interface ParseOptions {
  /** Messages for refused extra fields, by field name (default: "Unexpected field: name."). */
  unexpectedFieldMessages?: Readonly<Record<string, string>>;
  /** Query parameters are flat strings: report `status`, not `status.1` for an item of a comma list. */
  query?: boolean;
}

/**
 * Zod issues as `{ path, message }` field errors. A refused extra field (strict objects report them together on the
 * parent) becomes one error per field, on that field's path, so a client can point at it.
 */
export function issuesToFieldErrors(
  issues: readonly z.core.$ZodIssue[],
  options: ParseOptions = {},
): FieldError[] {
  const expanded = issues.flatMap((issue) =>
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((key) => ({
          path: [...issue.path, key],
          message: options.unexpectedFieldMessages?.[key] ?? `Unexpected field: ${key}.`,
        }))
      : [issue],
  );
  return fieldErrors(
    options.query ? expanded.map((issue) => ({ ...issue, path: issue.path.slice(0, 1) })) : expanded,
  );
}

/** Parse a body or query with a contract schema, or throw a 400 naming the offending fields. */
export function parseInput<Schema extends z.core.$ZodType>(
  schema: Schema,
  value: unknown,
  options?: ParseOptions,
): z.output<Schema> {
  const result = z.safeParse(schema, value);
  if (result.success) return result.data;
  const errors = issuesToFieldErrors(result.error.issues, options);
  const only = errors.length === 1 ? errors[0] : undefined;
  const fields = [...new Set(errors.map((error) => error.path || 'body'))].join(', ');
  throw badRequest(only ? only.message : `Some fields need attention: ${fields}.`, errors);
}
