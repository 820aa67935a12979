import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import {
  DirectoryInvitationsQuerySchema,
  INVITATION_SORTS,
  INVITATION_STATES,
  INVITATION_STATE_LABELS,
} from '../../../contract/directory.ts';
import type { DirectoryInvitationsQuery, InvitationState } from '../../../contract/directory.ts';
import { SelectField } from '../../components/select-field.tsx';
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

export type InvitationFilters = Omit<DirectoryInvitationsQuery, 'page' | 'limit'>;
type InvitationSort = (typeof INVITATION_SORTS)[number];

const FIELD = DirectoryInvitationsQuerySchema.shape;
const SORT_DEFAULT: InvitationSort = '-sent';
const isState = (value: string): value is InvitationState =>
  (INVITATION_STATES as readonly string[]).includes(value);
const isSort = (value: string): value is InvitationSort =>
  (INVITATION_SORTS as readonly string[]).includes(value);

/** The search, filters and sort in the address (the BFF's own names); values the contract refuses are ignored. */
export function readInvitationFilters(search: URLSearchParams): InvitationFilters {
  const sort = search.get('sort') ?? '';
  return {
    ...readCommonFilters(search),
    state: readList(search, 'state', isState),
    userId: readFilter(search, 'userId', FIELD.userId),
    sort: isSort(sort) && sort !== SORT_DEFAULT ? sort : undefined,
  };
}

/** Any filter or search (the sort is not a filter). */
export function hasInvitationFilters(filters: InvitationFilters): boolean {
  return Object.entries(filters).some(([name, value]) => name !== 'sort' && value !== undefined);
}

const SORT_LABELS: Record<InvitationSort, string> = {
  '-sent': 'Newest sent first',
  sent: 'Oldest sent first',
  name: 'Name, A to Z',
  '-name': 'Name, Z to A',
  expiry: 'Expiring soonest first',
  '-expiry': 'Expiring latest first',
};

/**
 * Search, then narrow: state (any number at once), who sent them and when; the order of the list. Each applies as
 * soon as it is chosen.
 */
export function InvitationsFilters({
  filters,
  onChange,
  onClear,
}: {
  filters: InvitationFilters;
  onChange: OnFilterChange;
  onClear: () => void;
}) {
  return (
    <FilterPanel
      name="Find invitations"
      searchLabel="Search invitations"
      q={filters.q}
      filtered={hasInvitationFilters(filters)}
      onChange={onChange}
      onClear={onClear}
    >
      <CheckboxFilter
        legend="State"
        name="state"
        options={INVITATION_STATES}
        labels={INVITATION_STATE_LABELS}
        chosen={filters.state ?? []}
        onChange={onChange}
      />
      <Box sx={FILTER_GRID}>
        <InvitedByField value={filters.invitedBy} onChange={onChange} />
        <DateRangeFields
          from={filters.invitedFrom}
          to={filters.invitedTo}
          labels={{ from: 'Sent from', to: 'Sent until' }}
          onChange={onChange}
        />
        <SelectField
          label="Sort by"
          value={filters.sort ?? SORT_DEFAULT}
          options={INVITATION_SORTS.map((sort) => ({ value: sort, label: SORT_LABELS[sort] }))}
          onChange={(value) => onChange({ sort: value === SORT_DEFAULT ? undefined : value })}
        />
      </Box>
      {filters.userId ? (
        <Stack direction="row" spacing={1} sx={{ alignItems: 'center', flexWrap: 'wrap', rowGap: 1 }}>
          <Typography variant="body2" sx={{ overflowWrap: 'anywhere', minWidth: 0 }}>
            Only the invitations of <code>{filters.userId}</code>
          </Typography>
          <Button type="button" size="small" onClick={() => onChange({ userId: undefined })}>
            Show everyone’s
          </Button>
        </Stack>
      ) : null}
    </FilterPanel>
  );
}
