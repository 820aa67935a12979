import { useRef, useState } from 'react';
import type { FormEvent } from 'react';
import type { UseFormSetError } from 'react-hook-form';
import type { InviteUserInput } from '../../../contract/users.ts';
import type { InviteField } from './field-names.ts';

type FieldsFailure = { kind: 'fields'; fields: readonly { path: InviteField; message: string }[] };

function isFieldsFailure<Failure extends { kind: string }>(
  failure: Failure,
): failure is Failure & FieldsFailure {
  return failure.kind === 'fields' && Array.isArray(Reflect.get(failure, 'fields'));
}

/**
 * How a person form (invite, edit) sends and shows the answer. A submission runs once at a time: a double-click or a
 * second Enter never sends twice, even before React has re-rendered the button as disabled. Refusals of fields go on
 * those fields, the first taking the focus; an open outcome ("retry") puts the keyboard on the Retry button, since
 * the submit button was disabled while sending.
 */
export function useFormSubmission<Failure extends { kind: string }>(
  setError: UseFormSetError<InviteUserInput>,
) {
  const [failure, setFailure] = useState<Failure | null>(null);
  const retryButton = useRef<HTMLButtonElement>(null);
  const inFlight = useRef(false);

  const showFailure = (next: Failure) => {
    setFailure(next);
    if (isFieldsFailure(next)) {
      next.fields.forEach((field, index) =>
        setError(field.path, { type: 'server', message: field.message }, { shouldFocus: index === 0 }),
      );
    } else if (next.kind === 'retry') {
      requestAnimationFrame(() => retryButton.current?.focus());
    }
  };

  /** A submit handler: clears the last failure (and whatever `starting` clears), then runs `send`. */
  const submitWith =
    (send: () => Promise<void>, starting?: () => void) => (event?: FormEvent<HTMLFormElement>) => {
      event?.preventDefault();
      if (inFlight.current) return;
      inFlight.current = true;
      setFailure(null);
      starting?.();
      void send().finally(() => {
        inFlight.current = false;
      });
    };

  return { failure, showFailure, retryButton, submitWith };
}
