import Autocomplete from '@mui/material/Autocomplete';
import Box from '@mui/material/Box';
import {
  PEOPLE_SORTS,
  PEOPLE_SORT_DEFAULT,
  PERSON_STATUSES,
  PERSON_STATUS_LABELS,
  PeopleQuerySchema,
} from '../../../contract/directory.ts';
import type { PeopleQuery, PeopleSort, PersonStatus } from '../../../contract/directory.ts';
import { READ_LEVELS } from '../../../contract/person.ts';
import { ROLES_BY_GROUP, isClinicRole, roleGroup } from '../../../contract/roles.ts';
import { SelectField } from '../../components/select-field.tsx';
import { TextInput } from '../../components/text-input.tsx';
import { levelLabel } from '../../lib/format.ts';
import { readFilter } from '../../lib/list-url.ts';
import {
  CheckboxFilter,
  FilterPanel,
  DateRangeFields,
  FILTER_GRID,
  InvitedByField,
  readCommonFilters,
  readList,
} from '../person/directory-filters.tsx';
import type { OnFilterChange } from '../person/directory-filters.tsx';

export type UserFilters = Omit<PeopleQuery, 'page' | 'limit'>;

const FIELD = PeopleQuerySchema.shape;
const isStatus = (value: string): value is PersonStatus =>
  (PERSON_STATUSES as readonly string[]).includes(value);
const isRole = (value: string): value is string => FIELD.role.safeParse(value).success;
const isSort = (value: string): value is PeopleSort => (PEOPLE_SORTS as readonly string[]).includes(value);

/** The search, filters and sort in the address (the BFF's own names); values the contract refuses are ignored. */
export function readUserFilters(search: URLSearchParams): UserFilters {
  const sort = search.get('sort') ?? '';
  return {
    ...readCommonFilters(search),
    role: readList(search, 'role', isRole),
    level: readFilter(search, 'level', FIELD.level),
    dashboard: readFilter(search, 'dashboard', FIELD.dashboard),
    studies: readFilter(search, 'studies', FIELD.studies),
    status: readList(search, 'status', isStatus),
    sort: isSort(sort) && sort !== PEOPLE_SORT_DEFAULT ? sort : undefined,
  };
}

/** Any filter or search (the sort is not a filter). */
export function hasUserFilters(filters: UserFilters): boolean {
  return Object.entries(filters).some(([name, value]) => name !== 'sort' && value !== undefined);
}

const SORT_LABELS: Record<PeopleSort, string> = {
  '-invited': 'Newest invited first',
  invited: 'Oldest invited first',
  name: 'Name, A to Z',
  '-name': 'Name, Z to A',
  '-last-sign-in': 'Latest sign-in first',
  'last-sign-in': 'Earliest sign-in first',
};

const YES_NO = [
  { value: '', label: 'Either' },
  { value: 'yes', label: 'Yes' },
  { value: 'no', label: 'No' },
];

const OTHER_ROLES = 'Other roles';

/** Roles, grouped like the invite form's picker; a role outside the list can be typed (people may hold old ones). */
function RoleFilter({ roles, onChange }: { roles: readonly string[]; onChange: OnFilterChange }) {
  return (
    <Autocomplete
      multiple
      freeSolo
      size="small"
      options={ROLES_BY_GROUP as readonly string[]}
      groupBy={(role) => (isClinicRole(role) ? roleGroup(role) : OTHER_ROLES)}
      value={[...roles]}
      onChange={(_, chosen) => {
        const valid = [...new Set(chosen.map((role) => role.trim()))].filter(isRole);
        onChange({ role: valid.length === 0 ? undefined : valid.join(',') });
      }}
      renderInput={(params) => (
        <TextInput
          label="Role"
          size="small"
          helperText="Choose from the list, or type a role and press Enter."
          id={params.id}
          disabled={params.disabled}
          slotProps={params.slotProps}
        />
      )}
    />
  );
}

/**
 * Search, then narrow: role, level, dashboard access, studies, status, who invited them and when; the order of the
 * list. Each applies as soon as it is chosen; Clear filters removes them all (and the search).
 */
export function UsersFilters({
  filters,
  onChange,
  onClear,
}: {
  filters: UserFilters;
  onChange: OnFilterChange;
  onClear: () => void;
}) {
  return (
    <FilterPanel
      name="Find people"
      searchLabel="Search people"
      q={filters.q}
      filtered={hasUserFilters(filters)}
      onChange={onChange}
      onClear={onClear}
    >
      <Box sx={FILTER_GRID}>
        <RoleFilter roles={filters.role ?? []} onChange={onChange} />
        <SelectField
          label="Level"
          value={filters.level ?? ''}
          options={[
            { value: '', label: 'Any level' },
            ...READ_LEVELS.map((level) => ({ value: level, label: levelLabel(level) })),
          ]}
          onChange={(value) => onChange({ level: value || undefined })}
        />
        <SelectField
          label="Dashboard access"
          value={filters.dashboard ?? ''}
          options={YES_NO}
          onChange={(value) => onChange({ dashboard: value || undefined })}
        />
        <SelectField
          label="Can manage studies"
          value={filters.studies ?? ''}
          options={YES_NO}
          onChange={(value) => onChange({ studies: value || undefined })}
        />
        <InvitedByField value={filters.invitedBy} onChange={onChange} />
        <DateRangeFields
          from={filters.invitedFrom}
          to={filters.invitedTo}
          labels={{ from: 'Invited from', to: 'Invited until' }}
          onChange={onChange}
        />
        <SelectField
          label="Sort by"
          value={filters.sort ?? PEOPLE_SORT_DEFAULT}
          options={PEOPLE_SORTS.map((sort) => ({ value: sort, label: SORT_LABELS[sort] }))}
          onChange={(value) => onChange({ sort: value === PEOPLE_SORT_DEFAULT ? undefined : value })}
        />
      </Box>
      <CheckboxFilter
        legend="Status"
        name="status"
        options={PERSON_STATUSES}
        labels={PERSON_STATUS_LABELS}
        chosen={filters.status ?? []}
        onChange={onChange}
      />
    </FilterPanel>
  );
}
