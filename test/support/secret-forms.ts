/**
 * Whether a text carries a secret in any form that decodes back to it: as is, in another case, JSON-escaped
 * (`\u0063`), percent-encoded (any characters, `+` for space), or base64/base64url encoded.
 */
export function carriesSecret(text: string, secret: string): boolean {
  const wanted = secret.toLowerCase();
  for (const form of decodedForms(text)) if (form.toLowerCase().includes(wanted)) return true;
  const encoded = [Buffer.from(secret).toString('base64'), Buffer.from(secret).toString('base64url')];
  return encoded.some((form) => text.includes(form.replace(/=+$/, '').slice(0, -2)));
}

function decodedForms(text: string): string[] {
  const forms = [text];
  const unescaped = text.replace(/\\u([0-9a-fA-F]{4})/g, (_m, hex: string) =>
    String.fromCharCode(parseInt(hex, 16)),
  );
  forms.push(unescaped);
  for (const form of [text, unescaped]) {
    let decoded = form.replaceAll('+', ' ');
    for (let round = 0; round < 3 && decoded.includes('%'); round += 1) {
      decoded = decoded.replace(/%([0-9a-fA-F]{2})/g, (_m, hex: string) =>
        String.fromCharCode(parseInt(hex, 16)),
      );
      forms.push(decoded);
    }
  }
  return forms;
}
