// A labelled dropdown (toolkit <vscode-dropdown>).
export interface SelectOptions {
  label: string;
  options: { value: string; label?: string }[];
  value: string;
  disabled?: boolean;
  onChange: (value: string) => void;
  id?: string;
}

export function select(o: SelectOptions): HTMLElement {
  const wrap = document.createElement('div');
  wrap.className = 'select';
  const label = document.createElement('label');
  label.textContent = o.label;
  const d = document.createElement('vscode-dropdown') as HTMLElement & { value: string };
  if (o.id) d.id = o.id;
  d.setAttribute('aria-label', o.label);
  if (o.disabled) d.setAttribute('disabled', '');
  for (const opt of o.options) {
    const e = document.createElement('vscode-option') as HTMLElement & { selected: boolean };
    e.setAttribute('value', opt.value);
    e.textContent = opt.label ?? opt.value;
    if (opt.value === o.value) {
      e.setAttribute('selected', '');
      e.selected = true;
    }
    d.append(e);
  }
  d.addEventListener('change', () => {
    if (d.value !== o.value) o.onChange(d.value);
  });
  label.htmlFor = o.id ?? '';
  wrap.append(label, d);
  return wrap;
}
