// XML text helpers for the libvirt renderer. Pure.

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', "'": '&apos;', '"': '&quot;' };

/** Escapes text for element content and for attribute values (either quote style). */
export function xmlEscape(s: string | number): string {
  return String(s).replace(/[&<>'"]/g, (c) => ESCAPES[c] ?? c);
}

/** `name='v' other='w'` for the defined attributes, in the given order. */
export function xmlAttrs(attrs: Record<string, string | number | undefined>): string {
  return Object.entries(attrs)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => ` ${k}='${xmlEscape(v as string | number)}'`)
    .join('');
}
