// A labelled dropdown: a native <select> styled with VS Code's dropdown colours (styles.css). The
// toolkit's <vscode-dropdown> showed its first option instead of the given value when it was built
// before being attached (the side form read `accel: (default)` for a VM whose file says `accel: tcg`).
export interface SelectOptions {
  label: string;
  options: { value: string; label?: string }[];
  value: string;
  disabled?: boolean;
  onChange: (value: string) => void;
  id?: string;
  /** The label for screen readers only (a toolbar's compact dropdown). */
  hideLabel?: boolean;
}

export function select(o: SelectOptions): HTMLElement {
  const wrap = document.createElement('div');
  wrap.className = 'select';
  const label = document.createElement('label');
  label.textContent = o.label;
  const d = document.createElement('select');
  d.className = 'dropdown';
  if (o.id) d.id = o.id;
  d.setAttribute('aria-label', o.label);
  d.disabled = !!o.disabled;
  for (const opt of o.options) {
    const e = document.createElement('option');
    e.value = opt.value;
    e.textContent = opt.label ?? opt.value;
    e.selected = opt.value === o.value;
    d.append(e);
  }
  d.value = o.value;
  d.addEventListener('change', () => {
    if (d.value !== o.value) o.onChange(d.value);
  });
  if (o.id) label.htmlFor = o.id;
  if (o.hideLabel) wrap.append(d);
  else wrap.append(label, d);
  return wrap;
}
