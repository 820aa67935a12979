import type { FastifyInstance } from 'fastify';
import { hasDuplicateKeys } from '../json-duplicate-keys.ts';
import { ProblemError } from '../problems.ts';

/**
 * JSON only: an empty body counts as "no body" (action routes take none); any other type is refused with 415.
 * `__proto__` and `constructor` keys are refused (400), and so is a field given twice (I-JSON, RFC 7493), so what
 * the BFF checked is exactly what it sends on.
 */
export function registerJsonBody(app: FastifyInstance): void {
  const json = app.getDefaultJsonParser('error', 'error');
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text.trim() === '') return done(null, undefined);
    // Fastify's JSON parser answers through `done` at once (its type allows a promise it never returns).
    void json(request, text, (error, value) => {
      if (!error && typeof value === 'object' && value !== null && hasDuplicateKeys(text)) {
        return done(
          new ProblemError({
            code: 'validation',
            status: 400,
            title: 'The request could not be read',
            detail: 'The same field is given twice. Send each field once.',
          }),
          undefined,
        );
      }
      done(error, value);
    });
  });
}
