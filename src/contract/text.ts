import * as z from 'zod/mini';

/**
 * The characters no text typed into Viewer Admin ever needs, refused in every text field of every input (what an
 * operator types, or what the BFF and the sandbox are sent). What is read back from Avara is never checked against
 * this: a record created elsewhere must still display.
 * - C0 controls, DEL and C1 controls (NUL, TAB, CR, LF, ESC, NEL...), and the line and paragraph separators
 *   (U+2028, U+2029): a name is one line of text; these break log lines, CSV exports, e-mails and terminals.
 * - Bidirectional embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069), and the invisible direction
 *   marks (U+200E, U+200F, U+061C): they change the order in which text is shown, so a name or an address could
 *   display as something it is not. A name in any script displays correctly without them.
 * - Lone surrogates: half of a character, which is no text at all (UTF-8 cannot even carry one).
 * Spaces and tabs around a value are trimmed before this check where the field trims (a pasted value loses them).
 */
const UNUSABLE_CHARACTER = /[\p{Cc}\p{Cs}\u2028\u2029\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]/u;

/** A lone surrogate (half of a character) anywhere in the text. */
const LONE_SURROGATE = /\p{Cs}/u;

export function hasUnusableCharacter(text: string): boolean {
  return UNUSABLE_CHARACTER.test(text);
}

export function unusableCharacterMessage(label: string): string {
  return `The ${label} contains a character that cannot be used (an invisible or control character). Type it again rather than pasting it.`;
}

/** The check of one text field, named for the person who reads the message (`first name`, `email address`). */
export function usableText(label: string) {
  return z.refine<string>((text) => !UNUSABLE_CHARACTER.test(text), {
    message: unusableCharacterMessage(label),
    abort: true,
  });
}

/**
 * For a password already chosen (sign-in, the current password): only what can never be a password is refused. A
 * lone surrogate is hashed as U+FFFD (its UTF-8 replacement), so no stored password needs one; controls are not refused
 * here, since a password chosen before they were refused must still sign in.
 */
export function wellFormedText(label: string) {
  return z.refine<string>((text) => !LONE_SURROGATE.test(text), {
    message: unusableCharacterMessage(label),
    abort: true,
  });
}
