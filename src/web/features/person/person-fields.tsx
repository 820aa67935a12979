import type { ReactNode } from 'react';
import { useWatch } from 'react-hook-form';
import type { Control } from 'react-hook-form';
import Box from '@mui/material/Box';
import Typography from '@mui/material/Typography';
import { normalizePhone } from '../../../contract/person.ts';
import type { InviteUserInput } from '../../../contract/users.ts';
import { FormTextField } from '../../components/form-fields.tsx';
import { formatPersonName } from '../../lib/format.ts';

/**
 * Pieces of the person form shared by the invite form and the edit forms (user, pending invitation): both hold the
 * invite form's values (`InviteUserInput`); what the resolver turns them into (`Out`) differs.
 */
export type PersonControl<Out> = Control<InviteUserInput, unknown, Out>;

/** One row of fields: side by side from 600 px, stacked on a phone. */
export function FieldGrid({ columns, children }: { columns: string; children: ReactNode }) {
  return (
    <Box
      sx={{
        display: 'grid',
        columnGap: 2,
        rowGap: 1,
        gridTemplateColumns: { xs: 'minmax(0, 1fr)', sm: columns },
      }}
    >
      {children}
    </Box>
  );
}

/** The five name fields (first, middle, last, two suffixes) and the live preview of how the name will read. */
export function NameFields<Out>({ control }: { control: PersonControl<Out> }) {
  return (
    <>
      <FieldGrid columns="repeat(3, minmax(0, 1fr))">
        <div>
          <FormTextField control={control} name="firstName" label="First name" required autoComplete="off" />
        </div>
        <div>
          <FormTextField control={control} name="middleName" label="Middle name" autoComplete="off" />
        </div>
        <div>
          <FormTextField control={control} name="lastName" label="Last name" required autoComplete="off" />
        </div>
        <div>
          <FormTextField
            control={control}
            name="suffix1"
            label="Suffix 1"
            hint="For example MD, Jr. or III"
            autoComplete="off"
          />
        </div>
        <div>
          <FormTextField
            control={control}
            name="suffix2"
            label="Suffix 2"
            hint="For example FACR"
            autoComplete="off"
          />
        </div>
      </FieldGrid>
      <NamePreview control={control} />
    </>
  );
}

/** How the name will read, live, as the operator types ("Sarah M. Johnson, MD, FACR"). */
export function NamePreview<Out>({ control }: { control: PersonControl<Out> }) {
  const [firstName, middleName, lastName, suffix1, suffix2] = useWatch({
    control,
    name: ['firstName', 'middleName', 'lastName', 'suffix1', 'suffix2'],
  });
  const name = formatPersonName({ firstName, middleName, lastName, suffix1, suffix2 });
  return (
    <Typography variant="body2" data-testid="name-preview">
      <Typography component="span" variant="body2" color="text.secondary">
        Their name will read:{' '}
      </Typography>
      {name === '' ? (
        <Typography component="span" variant="body2" color="text.secondary">
          (type a name above)
        </Typography>
      ) : (
        <Typography component="strong" variant="body2" sx={{ fontWeight: 600 }}>
          {name}
        </Typography>
      )}
    </Typography>
  );
}

/** The phone number in any common format, with the digits that will be stored shown under it. */
export function PhoneField<Out>({ control }: { control: PersonControl<Out> }) {
  const phone = useWatch({ control, name: 'phoneNumber' }) ?? '';
  const digits = normalizePhone(phone);
  const hint =
    phone.trim() === ''
      ? 'Any common format, for example (555) 123-4567.'
      : `Will be stored as ${digits} (${digits.length} digit${digits.length === 1 ? '' : 's'}).`;
  return (
    <FormTextField
      control={control}
      name="phoneNumber"
      label="Phone"
      type="tel"
      autoComplete="off"
      hint={hint}
      inputMode="tel"
    />
  );
}

/** The e-mail address (the invitation goes there) beside the phone number: the invite form and a bulk row's retry. */
export function EmailAndPhoneFields<Out>({
  control,
  emailHint,
}: {
  control: PersonControl<Out>;
  emailHint?: string;
}) {
  return (
    <FieldGrid columns="minmax(0, 7fr) minmax(0, 5fr)">
      <div>
        <FormTextField
          control={control}
          name="email"
          label="Email"
          required
          type="email"
          autoComplete="off"
          {...(emailHint === undefined ? {} : { hint: emailHint })}
        />
      </div>
      <div>
        <PhoneField control={control} />
      </div>
    </FieldGrid>
  );
}
