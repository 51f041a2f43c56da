// A labelled text input (toolkit <vscode-text-field>) that commits on Enter or blur.
export interface FieldOptions {
  label: string;
  value: string;
  placeholder?: string;
  readOnly?: boolean;
  onCommit?: (value: string) => void;
  onInput?: (value: string) => void;
  id?: string;
}

export interface Field {
  element: HTMLElement;
  focus(): void;
  value(): string;
}

export function field(o: FieldOptions): Field {
  const f = document.createElement('vscode-text-field') as HTMLElement & { value: string };
  f.textContent = o.label;
  f.setAttribute('value', o.value);
  f.value = o.value;
  if (o.id) f.id = o.id;
  if (o.placeholder) f.setAttribute('placeholder', o.placeholder);
  if (o.readOnly) f.setAttribute('readonly', '');
  let committed = o.value;
  const commit = () => {
    if (f.value !== committed) {
      committed = f.value;
      o.onCommit?.(f.value);
    }
  };
  f.addEventListener('change', commit);
  f.addEventListener('keydown', (e) => {
    if ((e as KeyboardEvent).key === 'Enter') commit();
    e.stopPropagation(); // Delete/Backspace here edit text, not the graph
  });
  f.addEventListener('input', () => o.onInput?.(f.value));
  return { element: f, focus: () => f.focus(), value: () => f.value };
}
