import { describe, expect, it } from 'vitest';
import { ListUsersQuerySchema } from '../../../src/contract/users.ts';
import {
  clearedSearch,
  nextPageSearch,
  previousPageSearch,
  readFilter,
  readPaging,
  withFilters,
  withPageSize,
} from '../../../src/web/lib/list-url.ts';

const at = (query: string) => new URLSearchParams(query);

describe('list state in the address', () => {
  it('reads the first page with the default size, and any page from its cursor and the stack before it', () => {
    expect(readPaging(at(''))).toEqual({ limit: 20, cursor: undefined, previous: [], page: 1 });
    expect(readPaging(at('limit=100&prev=a&prev=b&cursor=c'))).toEqual({
      limit: 100,
      cursor: 'c',
      previous: ['a', 'b'],
      page: 4,
    });
  });

  it('ignores a page size other than 20, 50 or 100, and a stack without a cursor', () => {
    expect(readPaging(at('limit=30')).limit).toBe(20);
    expect(readPaging(at('limit=-50')).limit).toBe(20);
    expect(readPaging(at('prev=a')).previous).toEqual([]);
    expect(readPaging(at(`cursor=${'x'.repeat(1025)}`)).cursor).toBeUndefined();
  });

  it('pushes the cursor on Next and pops it on Previous, back to the first page', () => {
    const first = at('level=admin');
    const second = nextPageSearch(first, 'c1');
    expect(second.toString()).toBe('level=admin&cursor=c1');
    const third = nextPageSearch(second, 'c2');
    expect(third.toString()).toBe('level=admin&prev=c1&cursor=c2');
    const fourth = nextPageSearch(third, 'c3');
    expect(readPaging(fourth)).toMatchObject({ cursor: 'c3', previous: ['c1', 'c2'], page: 4 });
    expect(previousPageSearch(fourth).toString()).toBe(third.toString());
    expect(previousPageSearch(third).toString()).toBe(second.toString());
    expect(previousPageSearch(second).toString()).toBe('level=admin');
  });

  it('starts from the first page when a filter or the page size changes, keeping the rest', () => {
    const deep = at('limit=50&level=admin&prev=c1&cursor=c2');
    expect(withFilters(deep, { level: undefined, email: 'a@b.org' }).toString()).toBe(
      'limit=50&email=a%40b.org',
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
