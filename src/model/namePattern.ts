// The schema's rule for names (schemas/topology.schema.json, definitions.name) with its message, for
// the code that checks names: commands, graph edits and the webview protocol (which cannot load the
// schema). test/unit/model/names.test.ts keeps it equal to the schema.
export const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$/;

/** What a valid name is, in words (the schema's description says the same). */
export const NAME_RULE = "letters, digits, '-' and '_', starting with a letter or digit, at most 63 characters";
