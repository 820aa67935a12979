import { describe, expect, it } from 'vitest';
import { ListUsersQuerySchema } from '../../../src/contract/users.ts';
import {
  clearedSearch,
  pageSearch,
  readFilter,
  readPaging,
  withFilters,
  withPageSize,
} from '../../../src/web/lib/list-url.ts';

const at = (query: string) => new URLSearchParams(query);

describe('list state in the address', () => {
  it('reads the first page with the default size, and any page from its number', () => {
    expect(readPaging(at(''))).toEqual({ limit: 20, page: 1 });
    expect(readPaging(at('limit=100&page=4'))).toEqual({ limit: 100, page: 4 });
  });

  it('ignores a page size other than 20, 50 or 100, and a page that is not a plain positive number', () => {
    expect(readPaging(at('limit=30')).limit).toBe(20);
    expect(readPaging(at('limit=-50')).limit).toBe(20);
    for (const page of ['0', '-2', '1.5', '0x10', '1e3', ' 3', '03', 'abc', '']) {
      expect(readPaging(at(`page=${encodeURIComponent(page)}`)).page).toBe(1);
    }
    expect(readPaging(at('page=9999999')).page).toBe(1);
  });

  it('moves to a page by its number; the first page has no number in the address', () => {
    const first = at('level=admin');
    expect(pageSearch(first, 3).toString()).toBe('level=admin&page=3');
    expect(pageSearch(at('level=admin&page=3'), 1).toString()).toBe('level=admin');
  });

  it('starts from the first page when a filter or the page size changes, keeping the rest', () => {
    const deep = at('limit=50&level=admin&page=7');
    expect(withFilters(deep, { level: undefined, q: 'natarajan p' }).toString()).toBe(
      'limit=50&q=natarajan+p',
    );
    expect(withPageSize(deep, 100).toString()).toBe('limit=100&level=admin');
    expect(withPageSize(deep, 20).toString()).toBe('level=admin');
    expect(clearedSearch(deep).toString()).toBe('limit=50');
  });

  it('reads a filter through its contract schema, dropping what the schema refuses', () => {
    const schema = ListUsersQuerySchema.shape.email;
    expect(readFilter(at('email=%20Dana%40Clinic.ORG%20'), 'email', schema)).toBe('dana@clinic.org');
    expect(readFilter(at('email=dana'), 'email', schema)).toBeUndefined();
    expect(readFilter(at('email=%20'), 'email', schema)).toBeUndefined();
    expect(readFilter(at(''), 'email', schema)).toBeUndefined();
  });
});
