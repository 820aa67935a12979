/**
 * How an audit record went, written for a clinic administrator (the Activity screen, a person's timeline): from the
 * action, the outcome, Avara's HTTP status and the recorded detail. The technical facts stay available beside it.
 */

export type OutcomeTone = 'success' | 'warning' | 'error' | 'unknown';

export interface OutcomeFacts {
  action: string;
  outcome: string;
  upstreamStatus: number | null;
  detail: string | null;
}

export interface OutcomeText {
  text: string;
  tone: OutcomeTone;
}

export const OUTCOME_DONE = 'Done';
export const OUTCOME_NOT_KNOWN = 'Not known yet: Avara did not answer in time';

/** The detail as recorded for a failure is "<problem title> (<kind>)": the kind is for the technical view only. */
function titleOf(detail: string | null): string | null {
  if (detail === null) return null;
  const title = detail.replace(
    /\s*\((http|timeout|connection|invalid-response|echoed-key|circuit-open|overloaded)\)$/,
    '',
  );
  return title === '' ? null : title.replace(/\.$/, '');
}

function lowerFirst(text: string): string {
  return /^[A-Z][a-z]/.test(text) ? `${text[0]?.toLowerCase() ?? ''}${text.slice(1)}` : text;
}

function failureReason(facts: OutcomeFacts): string | null {
  const { action, upstreamStatus: status } = facts;
  const invitation = action.startsWith('invitation.');
  if (status === 409 && (action === 'user.invite' || action === 'bulk.invite'))
    return 'this person was already invited';
  if (status === 409 && invitation) return 'the invitation is no longer pending';
  if (status === 404)
    return invitation ? 'this invitation no longer exists in Avara' : 'this person no longer exists in Avara';
  if (status === 400 || status === 422) return 'Avara did not accept some of the details';
  if (status === 401 || status === 403) return "Avara rejected the dashboard's API key";
  if (status === 429) return 'Avara was busy; try again in a moment';
  if (status !== null && status >= 500) return 'Avara had a problem on its side';
  const title = titleOf(facts.detail);
  return title === null ? null : lowerFirst(title);
}

export function outcomeText(facts: OutcomeFacts): OutcomeText {
  const sending = facts.action === 'user.invite' || facts.action === 'bulk.invite';
  switch (facts.outcome) {
    case 'success':
      return { text: OUTCOME_DONE, tone: 'success' };
    case 'pending':
      return { text: OUTCOME_NOT_KNOWN, tone: 'unknown' };
    case 'refused': {
      const title = titleOf(facts.detail);
      return {
        text: `Refused: ${title === null ? 'Viewer Admin did not send it' : lowerFirst(title)}`,
        tone: 'warning',
      };
    }
    default: {
      if (facts.upstreamStatus === 504 || /\((timeout)\)$/.test(facts.detail ?? ''))
        return { text: OUTCOME_NOT_KNOWN, tone: 'unknown' };
      const reason = failureReason(facts);
      const head = sending ? 'Not sent' : 'Not done';
      return { text: reason === null ? head : `${head}: ${reason}`, tone: 'error' };
    }
  }
}

/** The technical facts behind an outcome, for whoever asks: "HTTP 409 · This person has already been invited (http)". */
export function technicalDetail(facts: Pick<OutcomeFacts, 'upstreamStatus' | 'detail'>): string | null {
  const parts = [facts.upstreamStatus === null ? null : `HTTP ${facts.upstreamStatus}`, facts.detail].filter(
    (part): part is string => part !== null && part !== '',
  );
  return parts.length === 0 ? null : parts.join(' · ');
}
