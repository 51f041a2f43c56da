// The schema's rules for names (schemas/topology.schema.json, definitions.name and vmName) with
// their messages, for the code that checks names: commands, graph edits and the webview protocol
// (which cannot load the schema). test/unit/model/names.test.ts keeps them equal to the schema.
export const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$/;

/** What a valid name is, in words (the schema's description says the same). */
export const NAME_RULE = "letters, digits, '-' and '_', starting with a letter or digit, at most 63 characters";

/**
 * A VM key or libvirt domain name: NAME_PATTERN plus '.', which libvirt allows in domain names.
 * Never '/', a space, a quote or a leading '-' or '.' (so never `.` or `..`): safe as one argv
 * word, in a file name and in XML text. Only libvirt VMs may use the dot (src/model/checks/names.ts).
 */
export const VM_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/;

export const VM_NAME_RULE = "letters, digits, '-', '_' and '.', starting with a letter or digit, at most 63 characters";
