/**
 * Whether a request target, however it is spelled, names something under /api: percent-encoded (once or more),
 * upper case, backslashes, doubled slashes, `.` and `..` segments, `;` parameters, compatibility forms of the letters
 * (NFKC: "ａｐｉ"). Used only to keep the page shell and static files from ever answering for such a path: the gate
 * itself is attached to the /api routes (plugins/api.ts), whatever spelling the router mapped onto them.
 */
export function looksLikeApiPath(target: string): boolean {
  const end = target.search(/[?#]/);
  let path = end === -1 ? target : target.slice(0, end);
  // Undo encoding byte by byte (a malformed escape is left as it is), as often as it was applied.
  for (let round = 0; round < 8 && path.includes('%'); round += 1) {
    const decoded = path.replace(/%([0-9a-f]{2})/gi, (_escape, hex: string) =>
      String.fromCharCode(Number.parseInt(hex, 16)),
    );
    if (decoded === path) break;
    path = decoded;
  }
  const segments: string[] = [];
  for (const raw of path.replaceAll('\\', '/').split('/')) {
    const segment = raw.replace(/;.*$/s, '');
    if (segment === '' || segment === '.') continue;
    if (segment === '..') {
      segments.pop();
      continue;
    }
    // A segment's name ends at its first character that no route name has (NUL, a space, a dot...).
    segments.push(
      segment
        .normalize('NFKC')
        .toLowerCase()
        .replace(/[^a-z0-9_~-].*$/s, ''),
    );
  }
  return segments[0] === 'api';
}
