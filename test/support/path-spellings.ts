import fc from 'fast-check';

/**
 * Spellings of one request path that a lenient server or proxy could take for the same path: letters percent-encoded
 * (upper- or lower-case hex, once or twice), letters in upper case, each slash doubled, encoded (%2F), a backslash,
 * or padded with `.` and `x/..` segments (also encoded), `;` parameters on a segment, and a trailing slash, dot or
 * parameter. Used to prove that a check made for the canonical path holds for every spelling of it.
 */
export function pathSpelling(path: string): fc.Arbitrary<string> {
  const segments = path.split('/').slice(1);
  // Most characters stay as they are, so that many spellings are ones the router does map onto the route.
  const letter = (char: string) =>
    fc
      .constantFrom(...Array<string>(12).fill('plain'), 'upper', 'escape', 'escape-upper-hex', 'escape-twice')
      .map((how) => {
        const hex = char.charCodeAt(0).toString(16).padStart(2, '0');
        switch (how) {
          case 'upper':
            return char.toUpperCase();
          case 'escape':
            return `%${hex}`;
          case 'escape-upper-hex':
            return `%${hex.toUpperCase()}`;
          case 'escape-twice':
            return `%25${hex}`;
          default:
            return char;
        }
      });
  const separator = fc.constantFrom(
    ...Array<string>(8).fill('/'),
    '//',
    '%2F',
    '%2f',
    '\\',
    '/./',
    '/%2e/',
    '/x/../',
    '/x/%2e%2e/',
  );
  const parameter = fc.constantFrom(...Array<string>(8).fill(''), ';', ';v=1', ';jsessionid=0');
  const segment = (text: string) =>
    fc
      .tuple(separator, fc.tuple(...[...text].map(letter)), parameter)
      .map(([before, letters, after]) => `${before}${letters.join('')}${after}`);
  const ending = fc.constantFrom(...Array<string>(6).fill(''), '/', '/.', '//', ';', '%2F', '/%2e');
  return fc.tuple(fc.tuple(...segments.map(segment)), ending).map(([parts, end]) => {
    const spelled = `${parts.join('')}${end}`;
    // A request target starts with a slash; the first separator may have been spelled otherwise.
    return spelled.startsWith('/') ? spelled : `/${spelled}`;
  });
}
